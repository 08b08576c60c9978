#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""type2-bios.py: the bench's stand-in for platform firmware (a TEST FIXTURE).

On a real machine the BIOS sets up the HDM decoders of an accelerator (a CXL
Type 2 device such as sfc's NIC) before the OS boots, and locks them: Linux
7.3's Type 2 path (devm_cxl_probe_mem()) creates no region, it only finds the
one that firmware committed.  QEMU has no firmware that does this, so the
bench does it here, in the guest, before cxl_acpi and cxl_pci load
(tests/vm/vmrun --type2 runs it before udevd, whose coldplug loads them).
Nothing of cxlnic itself depends on this script; it exists only so that the
kernel finds what a BIOS would have left.

What it does, as platform firmware would:
  1. finds the PCI function whose Device Serial Number is --serial and checks
     that it is CXL.mem capable (the CXL Device DVSEC);
  2. its host bridge: the CHBS of the ACPI CEDT whose UID is the bridge's
     (on QEMU the UID is the pxb-cxl's bus number, which is also the root
     bus of the function) and the CFMWS that targets that bridge alone (the
     window base, which must allow device-coherent memory);
  3. commits HDM decoder 0 of the host bridge (component registers from the
     CHBS): the window's base, the device's size, one way, targeting the
     root port above the function (its PCIe port number), device-coherent
     (HDM-D/DB: Target Device Type, bit 12, clear), Lock-On-Commit; and
     the same in each CXL switch on the way (its upstream port's component
     registers, through its Register Locator), targeting the downstream
     port below it;
  4. commits HDM decoder 0 of the device (component registers found through
     the Register Locator DVSEC, in one of its BARs; memory decoding is
     turned on in the PCI command register where it is off), same range, DPA
     skip 0, device-coherent, Lock-On-Commit;
  5. sets HDM Decoder Enable in each decoder's global control register and
     Mem_Enable in the CXL Device DVSEC control register;
  6. reads everything back and writes a JSON record (--record) of what it
     left, which "type2-bios.py check RECORD" compares with the decoders the CXL
     core shows in sysfs once it has loaded (--complete: all must be there,
     which they are once a Type 2 driver made the device's memdev).
With --bare it finds and records the device but commits nothing: a machine
whose firmware left the accelerator alone.  With --unlocked it commits as
above without Lock-On-Commit: a firmware that lets the OS reset them.

"type2-bios.py hotadd RECORD" stands for the platform's hot-plug handler:
after a device_add of the accelerator, whose new function has its decoders
as QEMU made them, it commits the device's decoder 0 at the range of the
record again (the bridges above kept theirs: they are locked), so that a
probe finds the region.  Run before any driver binds the new function.

The registers are reached through /dev/mem: with CONFIG_IO_STRICT_DEVMEM a
range that a driver has claimed is refused, one that nothing claimed yet (no
CXL driver is loaded) is not.  Component registers take 32-bit accesses only,
which is what the memoryview of format "I" does.

  type2-bios.py --serial SN [--size BYTES] [--bare|--unlocked] --record FILE
  type2-bios.py check [--complete] FILE
  type2-bios.py hotadd FILE
"""

import argparse
import glob
import json
import mmap
import os
import struct
import sys
import time

CXL_VENDOR = 0x1E98
DVSEC_DEVICE = 0
DVSEC_REGLOC = 8
EXT_CAP_DSN = 0x0003
EXT_CAP_DVSEC = 0x0023
PCI_CAP_EXP = 0x10
PCI_EXP_TYPE_UPSTREAM = 0x5
RBI_COMPONENT = 1

# Component register block (CXL r3.1 8.2.3, 8.2.4): CXL.cachemem from 4 KiB.
CM_OFFSET = 0x1000
CAP_ID_HDM = 5
COMPONENT_BLOCK = 0x10000

# HDM decoder capability structure (CXL r3.1 8.2.4.20), decoder 0.
HDM_GLOBAL_CTRL = 0x04
HDM_GLOBAL_ENABLE = 1 << 1
HDM0_BASE_LO, HDM0_BASE_HI = 0x10, 0x14
HDM0_SIZE_LO, HDM0_SIZE_HI = 0x18, 0x1C
HDM0_CTRL = 0x20
HDM0_TL_LO, HDM0_TL_HI = 0x24, 0x28  # the DPA skip on a device
CTRL_LOCK_ON_COMMIT = 1 << 8
CTRL_COMMIT = 1 << 9
CTRL_COMMITTED = 1 << 10
CTRL_ERR = 1 << 11
CTRL_HOSTONLY = 1 << 12  # Target Device Type: 1 host-only (Type 3)
LOCK = CTRL_LOCK_ON_COMMIT  # 0 with --unlocked


def set_lock(locked):
    global LOCK
    LOCK = CTRL_LOCK_ON_COMMIT if locked else 0

# CXL Device DVSEC (CXL r3.1 8.1.3).
DVSEC_CTRL = 0x0C
DVSEC_MEM_ENABLE = 1 << 2
DVSEC_RANGE1_SIZE_HI, DVSEC_RANGE1_SIZE_LO = 0x18, 0x1C

CFMWS_RESTRICT_DEVMEM = 1 << 0


def die(msg):
    print(f"type2-bios: {msg}", file=sys.stderr)
    sys.exit(1)


def say(msg):
    print(f"type2-bios: {msg}", file=sys.stderr)


class Config:
    """A PCI function's config space, through sysfs."""

    def __init__(self, bdf):
        self.bdf = bdf
        self.path = f"/sys/bus/pci/devices/{bdf}/config"
        with open(self.path, "rb") as f:
            self.data = f.read()

    def r16(self, off):
        return struct.unpack_from("<H", self.data, off)[0]

    def r32(self, off):
        return struct.unpack_from("<I", self.data, off)[0]

    def w16(self, off, val):
        with open(self.path, "r+b", buffering=0) as f:
            f.seek(off)
            f.write(struct.pack("<H", val))
        with open(self.path, "rb") as f:
            self.data = f.read()

    def ext_caps(self):
        off = 0x100
        seen = set()
        while off and off not in seen and len(self.data) >= off + 4:
            seen.add(off)
            hdr = self.r32(off)
            if hdr in (0, 0xFFFFFFFF):
                return
            yield hdr & 0xFFFF, off
            off = (hdr >> 20) & 0xFFC

    def dvsec(self, dvsec_id):
        for cap, off in self.ext_caps():
            if cap != EXT_CAP_DVSEC:
                continue
            if self.r16(off + 4) == CXL_VENDOR and self.r16(off + 8) == dvsec_id:
                return off
        return None

    def dsn(self):
        for cap, off in self.ext_caps():
            if cap == EXT_CAP_DSN:
                return struct.unpack_from("<Q", self.data, off + 4)[0]
        return None

    def cap(self, cap_id):
        off = self.data[0x34] & 0xFC
        seen = set()
        while off and off not in seen:
            seen.add(off)
            if self.data[off] == cap_id:
                return off
            off = self.data[off + 1] & 0xFC
        return None


class Mmio:
    """A block of physical address space through /dev/mem, 32-bit access."""

    def __init__(self, phys, size):
        self.phys = phys
        fd = os.open("/dev/mem", os.O_RDWR | os.O_SYNC)
        try:
            self.map = mmap.mmap(fd, size, mmap.MAP_SHARED,
                                 mmap.PROT_READ | mmap.PROT_WRITE, offset=phys)
        except OSError as e:
            die(f"/dev/mem at {phys:#x}: {e} (claimed by a driver already?)")
        finally:
            os.close(fd)
        self.regs = memoryview(self.map).cast("I")

    def r32(self, off):
        return self.regs[off // 4]

    def w32(self, off, val):
        self.regs[off // 4] = val & 0xFFFFFFFF

    def hdm(self):
        """Offset of the HDM decoder capability structure, or None."""
        hdr = self.r32(CM_OFFSET)
        if hdr & 0xFFFF != 1:
            return None
        for i in range(1, (hdr >> 24) + 1):
            cap = self.r32(CM_OFFSET + 4 * i)
            if cap & 0xFFFF == CAP_ID_HDM:
                return CM_OFFSET + (cap >> 20)
        return None


def cedt():
    """The CEDT's CHBS (uid -> base) and CFMWS entries."""
    try:
        with open("/sys/firmware/acpi/tables/CEDT", "rb") as f:
            t = f.read()
    except OSError as e:
        die(f"no ACPI CEDT: {e}")
    chbs, cfmws = {}, []
    off = 36  # the ACPI table header
    while off + 4 <= len(t):
        typ, length = t[off], struct.unpack_from("<H", t, off + 2)[0]
        if length < 4:
            break
        if typ == 0:
            uid, _ver, _rsvd, base, size = struct.unpack_from("<IIIQQ", t, off + 4)
            chbs[uid] = (base, size)
        elif typ == 1:
            base, size = struct.unpack_from("<QQ", t, off + 8)
            eniw = t[off + 24]
            restrict = struct.unpack_from("<H", t, off + 32)[0]
            n = (length - 36) // 4
            targets = list(struct.unpack_from(f"<{n}I", t, off + 36))
            cfmws.append({"base": base, "size": size, "eniw": eniw,
                          "restrictions": restrict, "targets": targets})
        off += length
    return chbs, cfmws


def find_function(serial):
    for d in sorted(glob.glob("/sys/bus/pci/devices/*")):
        bdf = os.path.basename(d)
        try:
            cfg = Config(bdf)
        except OSError:
            continue
        if len(cfg.data) > 0x100 and cfg.dsn() == serial:
            return cfg
    die(f"no PCI function with serial {serial:#x}")


def enable_memory(bdf):
    """Memory decoding on the function and the bridges above it, as firmware
    leaves a device whose registers it used."""
    path = os.path.realpath(f"/sys/bus/pci/devices/{bdf}")
    chain = []
    while os.path.exists(os.path.join(path, "config")):
        chain.append(os.path.basename(path))
        path = os.path.dirname(path)
    for dev in reversed(chain):
        cfg = Config(dev)
        cmd = cfg.r16(0x04)
        if not cmd & 0x2:
            cfg.w16(0x04, cmd | 0x2)
            say(f"{dev}: memory decoding enabled")


def component_regs(cfg):
    """Physical address of the function's component registers."""
    loc = cfg.dvsec(DVSEC_REGLOC)
    if loc is None:
        die(f"{cfg.bdf}: no Register Locator DVSEC")
    length = (cfg.r32(loc + 4) >> 20) & 0xFFF
    for entry in range(loc + 0xC, loc + length, 8):
        lo, hi = cfg.r32(entry), cfg.r32(entry + 4)
        if (lo >> 8) & 0xFF != RBI_COMPONENT:
            continue
        bir = lo & 0x7
        offset = (hi << 32) | (lo & 0xFFFF0000)
        with open(f"/sys/bus/pci/devices/{cfg.bdf}/resource") as f:
            bar = int(f.read().splitlines()[bir].split()[0], 16)
        if not bar:
            die(f"{cfg.bdf}: BAR {bir} is not assigned")
        return bar + offset
    die(f"{cfg.bdf}: no component register block in its Register Locator")


def commit_decoder(name, mmio, base, size, target_lo):
    """Commit (and lock, but with --unlocked) HDM decoder 0 of one
    component, enable its decode."""
    hdm = mmio.hdm()
    if hdm is None:
        die(f"{name}: no HDM decoder capability")
    ctrl = mmio.r32(hdm + HDM0_CTRL)
    if ctrl & CTRL_COMMITTED:
        die(f"{name}: decoder 0 is committed already ({ctrl:#x})")
    mmio.w32(hdm + HDM0_BASE_LO, base & 0xF0000000)
    mmio.w32(hdm + HDM0_BASE_HI, base >> 32)
    mmio.w32(hdm + HDM0_SIZE_LO, size & 0xF0000000)
    mmio.w32(hdm + HDM0_SIZE_HI, size >> 32)
    mmio.w32(hdm + HDM0_TL_LO, target_lo)
    mmio.w32(hdm + HDM0_TL_HI, 0)
    # One way (IW 0), 256 B granularity (IG 0): the only target.
    mmio.w32(hdm + HDM0_CTRL, LOCK | CTRL_COMMIT)
    deadline = time.monotonic() + 1.0  # the spec's timeout is 10 ms
    while True:
        ctrl = mmio.r32(hdm + HDM0_CTRL)
        if ctrl & (CTRL_COMMITTED | CTRL_ERR) or time.monotonic() > deadline:
            break
        time.sleep(0.001)
    if ctrl & CTRL_ERR or not ctrl & CTRL_COMMITTED:
        die(f"{name}: decoder 0 did not commit (ctrl {ctrl:#x})")
    glob_ctrl = mmio.r32(hdm + HDM_GLOBAL_CTRL)
    mmio.w32(hdm + HDM_GLOBAL_CTRL, glob_ctrl | HDM_GLOBAL_ENABLE)
    got = {
        "phys": mmio.phys,
        "base": mmio.r32(hdm + HDM0_BASE_LO) | mmio.r32(hdm + HDM0_BASE_HI) << 32,
        "size": mmio.r32(hdm + HDM0_SIZE_LO) | mmio.r32(hdm + HDM0_SIZE_HI) << 32,
        "ctrl": mmio.r32(hdm + HDM0_CTRL),
        "target_list_lo": mmio.r32(hdm + HDM0_TL_LO),
        "global_ctrl": mmio.r32(hdm + HDM_GLOBAL_CTRL),
    }
    ok = (got["base"] == base and got["size"] == size and
          got["ctrl"] & CTRL_COMMITTED and
          got["ctrl"] & CTRL_LOCK_ON_COMMIT == LOCK and
          not got["ctrl"] & CTRL_HOSTONLY and
          got["global_ctrl"] & HDM_GLOBAL_ENABLE)
    if not ok:
        die(f"{name}: read back {got}, wanted base {base:#x} size {size:#x}")
    locked = " and locked" if LOCK else ""
    say(f"{name}: decoder 0 committed{locked}, {base:#x}+{size:#x}, "
        f"device-coherent (ctrl {got['ctrl']:#x})")
    return got


def pcie_cap(cfg):
    exp = cfg.cap(PCI_CAP_EXP)
    if exp is None:
        die(f"{cfg.bdf}: not a PCIe port")
    return exp


def port_number(cfg):
    """The port's number, as the decoder above it targets it."""
    return cfg.r32(pcie_cap(cfg) + 0x0C) >> 24


def switches_on(path):
    """(upstream, downstream) port of each switch between the root port
    (path[0]) and the function (path[-1])."""
    below = path[1:-1]
    found = []
    for i, bdf in enumerate(below):
        cfg = Config(bdf)
        if (cfg.r16(pcie_cap(cfg) + 2) >> 4) & 0xF != PCI_EXP_TYPE_UPSTREAM:
            continue
        if i + 1 >= len(below):
            die(f"{bdf}: a switch upstream port with no downstream port below")
        found.append((cfg, Config(below[i + 1])))
    return found


def commit_device(fn, dvsec, base, size):
    """Decoder 0 of the function itself, then Mem_Enable."""
    enable_memory(fn.bdf)
    dev = commit_decoder(fn.bdf, Mmio(component_regs(fn), COMPONENT_BLOCK),
                         base, size, 0)
    ctrl = fn.r16(dvsec + DVSEC_CTRL)
    fn.w16(dvsec + DVSEC_CTRL, ctrl | DVSEC_MEM_ENABLE)
    if not fn.r16(dvsec + DVSEC_CTRL) & DVSEC_MEM_ENABLE:
        die(f"{fn.bdf}: Mem_Enable did not stick")
    say(f"{fn.bdf}: Mem_Enable set in the CXL Device DVSEC")
    return {"device_decoder": dev, "dvsec_ctrl": fn.r16(dvsec + DVSEC_CTRL)}


def device_dvsec(fn):
    dvsec = fn.dvsec(DVSEC_DEVICE)
    if dvsec is None:
        die(f"{fn.bdf}: no CXL Device DVSEC")
    if not fn.r16(dvsec + 0xA) & (1 << 2):
        die(f"{fn.bdf}: not CXL.mem capable")
    return dvsec


def commit(args):
    fn = find_function(args.serial)
    dvsec = device_dvsec(fn)
    size = args.size
    if size is None:
        size = (fn.r32(dvsec + DVSEC_RANGE1_SIZE_HI) << 32 |
                (fn.r32(dvsec + DVSEC_RANGE1_SIZE_LO) & 0xF0000000))
    if not size or size % (256 << 20):
        die(f"{fn.bdf}: no usable size ({size:#x})")

    # The function's host bridge, root port and switches: its sysfs path.
    path = os.path.realpath(f"/sys/bus/pci/devices/{fn.bdf}").split("/")
    root = next(p for p in path if p.startswith("pci"))  # pciSSSS:BB
    uid = int(root.split(":")[1], 16)
    below_root = path[path.index(root) + 1:]
    rp = Config(below_root[0])
    port_num = port_number(rp)
    switches = switches_on(below_root)

    chbs, cfmws = cedt()
    if uid not in chbs:
        die(f"no CHBS for host bridge {uid:#x} in the CEDT")
    win = next((w for w in cfmws if w["targets"] == [uid]), None)
    if win is None:
        die(f"no CXL window for host bridge {uid:#x} alone in the CEDT")
    if not win["restrictions"] & CFMWS_RESTRICT_DEVMEM:
        die(f"window {win['base']:#x} does not allow device-coherent memory")
    if size > win["size"]:
        die(f"window {win['base']:#x} smaller than the device ({size:#x})")

    record = {
        "pci": fn.bdf, "serial": args.serial, "host_bridge_uid": uid,
        "root_port": rp.bdf, "root_port_number": port_num,
        "window": {"base": win["base"], "size": win["size"]},
        "range": {"start": win["base"], "size": size},
        "committed": not args.bare, "locked": bool(LOCK),
        "switches": [{"upstream_port": usp.bdf, "downstream_port": dsp.bdf}
                     for usp, dsp in switches],
    }
    if args.bare:
        say(f"{fn.bdf}: --bare: nothing committed, as a BIOS that does not "
            "know the device leaves it")
        write_record(args.record, record)
        return

    record["host_bridge_decoder"] = commit_decoder(
        f"host bridge {uid:#x}", Mmio(chbs[uid][0], COMPONENT_BLOCK),
        win["base"], size, port_num)
    enable_memory(fn.bdf)
    for sw, (usp, dsp) in zip(record["switches"], switches):
        sw["decoder"] = commit_decoder(
            f"switch {usp.bdf}", Mmio(component_regs(usp), COMPONENT_BLOCK),
            win["base"], size, port_number(dsp))
    record.update(commit_device(fn, dvsec, win["base"], size))
    write_record(args.record, record)


def hotadd(args):
    """The hot-added function's own decoder, at the recorded range."""
    with open(args.record) as f:
        rec = json.load(f)
    if not rec["committed"]:
        die("the firmware committed nothing (--bare): no range to restore")
    set_lock(rec.get("locked", True))
    fn = find_function(rec["serial"])
    if fn.bdf != rec["pci"]:
        die(f"serial {rec['serial']:#x} came back at {fn.bdf}, not {rec['pci']}")
    if os.path.exists(f"/sys/bus/pci/devices/{fn.bdf}/driver"):
        die(f"{fn.bdf} has a driver already: the platform comes first")
    rec.update(commit_device(fn, device_dvsec(fn), rec["range"]["start"],
                             rec["range"]["size"]))
    write_record(args.record, rec)


def write_record(path, record):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w") as f:
        json.dump(record, f, indent=1)
        f.write("\n")


def sysfs(path):
    with open(path) as f:
        return f.read().strip()


def check(args):
    """What the CXL core found, against what the fixture left: the host
    bridge's decoder 0 (and the endpoint's, once a driver made the memdev)
    at the committed range, locked, device-coherent."""
    with open(args.record) as f:
        rec = json.load(f)
    if not rec["committed"]:
        die("the firmware committed nothing (--bare): nothing to check")
    start, size = rec["range"]["start"], rec["range"]["size"]
    locked = "1" if rec.get("locked", True) else "0"
    want = {"start": f"{start:#x}", "size": f"{size:#x}", "locked": locked,
            "target_type": "accelerator"}
    found = {"host bridge": None, "endpoint": None}
    usps = [sw["upstream_port"] for sw in rec.get("switches", [])]
    found.update({f"switch {usp}": None for usp in usps})
    hb_dev = f"pci0000:{rec['host_bridge_uid']:02x}"
    for d in sorted(glob.glob("/sys/bus/cxl/devices/decoder*.0")):
        port = os.path.dirname(os.path.realpath(d))
        uport = os.path.basename(os.path.realpath(os.path.join(port, "uport")))
        if uport == hb_dev:
            kind = "host bridge"
        elif uport in usps:
            kind = f"switch {uport}"
        elif (os.path.basename(port).startswith("endpoint") and
              os.path.basename(os.path.dirname(os.path.realpath(
                  f"/sys/bus/cxl/devices/{uport}")))) == rec["pci"]:
            kind = "endpoint"
        else:
            continue
        got = {k: sysfs(os.path.join(d, k)) for k in want}
        if got != want:
            die(f"{kind} {os.path.basename(d)}: {got}, firmware left {want}")
        found[kind] = os.path.basename(d)
    # Linux 7.x enumerates a host bridge's and a switch's decoders only
    # when the first memdev below them probes: before a driver made the
    # accelerator's memdev, no decoder of its path is on the CXL bus yet.
    for kind, d in found.items():
        if d:
            print(f"type2-bios: {kind} decoder {d}: as firmware left it")
        elif args.complete:
            die(f"no {kind} decoder for {rec['pci']} on the CXL bus")
        else:
            print(f"type2-bios: no {kind} decoder on the CXL bus yet")


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "check":
        p = argparse.ArgumentParser(prog="type2-bios.py check")
        p.add_argument("record")
        p.add_argument("--complete", action="store_true",
                       help="every decoder must be there (a driver made the memdev)")
        check(p.parse_args(sys.argv[2:]))
        return
    if len(sys.argv) > 1 and sys.argv[1] == "hotadd":
        p = argparse.ArgumentParser(prog="type2-bios.py hotadd")
        p.add_argument("record")
        hotadd(p.parse_args(sys.argv[2:]))
        return
    p = argparse.ArgumentParser(prog="type2-bios.py")
    p.add_argument("--serial", type=lambda s: int(s, 0), required=True)
    p.add_argument("--size", type=lambda s: int(s, 0))
    p.add_argument("--record", required=True)
    p.add_argument("--bare", action="store_true",
                   help="find and record the device, commit nothing")
    p.add_argument("--unlocked", action="store_true",
                   help="commit without Lock-On-Commit: the core may reset them")
    args = p.parse_args()
    set_lock(not args.unlocked)
    commit(args)


if __name__ == "__main__":
    main()
