#!/usr/bin/python3
"""Check cxlnicd's metrics file against `cxlnicctl list --json`.

Parses the file with prometheus_client's text-format parser (Debian's
python3-prometheus-client), so a format error fails here, then checks that
every NIC's mode, pieces and counters match the kernel's view; with
`cxlnicctl status --json`, that cxlnic_daemon_state has one sample per
state for every NIC, the same states for each, 1 for the state cxlnicd
says and 0 for the others.

    check-metrics.py METRICS_FILE LIST_JSON_FILE [STATUS_JSON_FILE]
"""
import json
import sys

from prometheus_client.parser import text_string_to_metric_families


def samples(text):
    out = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            key = (s.name, tuple(sorted(s.labels.items())))
            out[key] = s.value
    return out


def value(metrics, metric, **labels):
    key = (metric, tuple(sorted(labels.items())))
    if key not in metrics:
        sys.exit(f"check-metrics: no sample {metric}{labels}")
    return metrics[key]


def expect(what, got, want):
    if got != want:
        sys.exit(f"check-metrics: {what}: metrics say {got}, cxlnicctl {want}")


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        metrics = samples(f.read())
    with open(sys.argv[2], encoding="utf-8") as f:
        nics = json.load(f)
    if not nics:
        sys.exit("check-metrics: no NICs to compare")
    for nic in nics:
        pci = nic["pci_addr"]
        expect(f"{pci} registered", value(metrics, "cxlnic_registered", nic=pci), 1)
        for mode in ("off", "pci", "cxl"):
            expect(f"{pci} mode {mode}",
                   value(metrics, "cxlnic_ctpio_mode", nic=pci, mode=mode),
                   1 if nic["mode"] == mode else 0)
        for p in nic["pieces"]:
            expect(f"{pci} piece {p['name']}",
                   value(metrics, "cxlnic_piece_bound", nic=pci, kind=p["kind"],
                         name=p["name"], state=p["state"]),
                   1 if p["state"] == "bound" else 0)
        st = nic["stats"]
        for window in ("cxl", "pci"):
            expect(f"{pci} {window} packets",
                   value(metrics, "cxlnic_packets_total", nic=pci, window=window),
                   st[f"{window}_packets"])
            expect(f"{pci} {window} bytes",
                   value(metrics, "cxlnic_bytes_total", nic=pci, window=window),
                   st[f"{window}_bytes"])
        expect(f"{pci} fallbacks", value(metrics, "cxlnic_fallbacks_total", nic=pci),
               st["fallbacks"])
        expect(f"{pci} reattaches", value(metrics, "cxlnic_reattaches_total", nic=pci),
               st["reattaches"])
    if len(sys.argv) > 3:
        check_daemon_states(metrics, sys.argv[3])
    print(f"check-metrics: {len(metrics)} samples parse and match {len(nics)} NICs")


def check_daemon_states(metrics, status_file):
    with open(status_file, encoding="utf-8") as f:
        status = json.load(f)
    states = {}
    for (name, labels), v in metrics.items():
        if name == "cxlnic_daemon_state":
            labels = dict(labels)
            states.setdefault(labels["nic"], {})[labels["state"]] = v
    names = {frozenset(s) for s in states.values()}
    if len(names) != 1 or len(next(iter(names))) < 2:
        sys.exit(f"check-metrics: cxlnic_daemon_state's states differ or are one: {states}")
    for nic in status:
        got = states.get(nic["pci_addr"], {})
        ones = [s for s, v in got.items() if v == 1]
        expect(f"{nic['pci_addr']} daemon state", ones, [nic["state"]])
        if any(v not in (0, 1) for v in got.values()):
            sys.exit(f"check-metrics: cxlnic_daemon_state not 0 or 1: {got}")


if __name__ == "__main__":
    main()
