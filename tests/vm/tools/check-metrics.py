#!/usr/bin/python3
"""Check cxlnicd's metrics file against `cxlnicctl list --json`.

Parses the file with prometheus_client's text-format parser (Debian's
python3-prometheus-client), so a format error fails here, then checks that
every NIC's mode, pieces and counters match the kernel's view.

    check-metrics.py METRICS_FILE LIST_JSON_FILE
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
    print(f"check-metrics: {len(metrics)} samples parse and match {len(nics)} NICs")


if __name__ == "__main__":
    main()
