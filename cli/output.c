// SPDX-License-Identifier: GPL-2.0-only
#include <inttypes.h>
#include <time.h>

#include "cxlnic_names.h"
#include "output.h"

const char *human_size(uint64_t bytes, char *buf, size_t len)
{
	static const char units[] = "BKMGTPE";
	double v = (double)bytes;
	unsigned int u = 0;

	while (v >= 1024 && u < sizeof(units) - 2) {
		v /= 1024;
		u++;
	}
	if (u == 0 || v >= 10 || v == (uint64_t)v)
		snprintf(buf, len, "%.0f%c", v, units[u]);
	else
		snprintf(buf, len, "%.1f%c", v, units[u]);
	return buf;
}

const char *format_serial(uint64_t serial, char *buf, size_t len)
{
	snprintf(buf, len, "0x%" PRIx64, serial);
	return buf;
}

void print_dev_table_header(FILE *f)
{
	fprintf(f, "%-3s %-12s %-11s %-4s %-9s %5s %10s %10s %5s\n", "ID",
		"NIC", "DRIVER", "MODE", "REGION", "SIZE", "CXL-PKTS",
		"PCI-PKTS", "LOSS");
}

static void print_pieces(FILE *f, const struct cxlnic_dev_info *dev)
{
	unsigned int i;
	int col = 0;

	for (i = 0; i < dev->n_pieces; i++) {
		const struct cxlnic_piece_info *p = &dev->pieces[i];

		if (col > 52) {
			fputc('\n', f);
			col = 0;
		}
		if (!col)
			col = fprintf(f, "    pieces:");
		col += fprintf(f, " %s=%s(%s)", cxlnic_piece_kind_name(p->kind),
			       p->name, cxlnic_piece_state_name(p->state));
	}
	if (col)
		fputc('\n', f);
}

void print_dev_table_row(FILE *f, const struct cxlnic_dev_info *dev,
			 bool verbose)
{
	char size[16] = "-", serial[SERIAL_BUF_LEN];

	if (dev->has_region)
		human_size(dev->region_size, size, sizeof(size));
	fprintf(f, "%-3" PRIu32 " %-12s %-11.11s %-4s %-9.9s %5s %10" PRIu64
		" %10" PRIu64 " %5" PRIu64 "\n", dev->handle, dev->pci_addr,
		dev->driver, cxlnic_mode_name(dev->mode),
		dev->has_region ? dev->region : "-", size,
		dev->stats.cxl_packets, dev->stats.pci_packets,
		dev->stats.fallbacks);
	if (!verbose)
		return;
	fprintf(f, "    generation %" PRIu32 ", last change %s, last loss %s",
		dev->generation, cxlnic_reason_name(dev->reason),
		cxlnic_reason_name(dev->loss_reason));
	if (dev->has_loss_piece)
		fprintf(f, " (%s %s)", cxlnic_piece_kind_name(dev->loss_piece.kind),
			dev->loss_piece.name);
	fprintf(f, "\n    reattaches %" PRIu64 ", bytes cxl %" PRIu64
		" pci %" PRIu64, dev->stats.reattaches,
		dev->stats.cxl_bytes, dev->stats.pci_bytes);
	if (dev->serial)
		fprintf(f, ", serial %s",
			format_serial(dev->serial, serial, sizeof(serial)));
	fputc('\n', f);
	print_pieces(f, dev);
}

void print_dev_details(FILE *f, const struct cxlnic_dev_info *dev)
{
	char size[16], serial[SERIAL_BUF_LEN];
	unsigned int i;

	fprintf(f, "nic %s (handle %" PRIu32 ")\n", dev->pci_addr, dev->handle);
	fprintf(f, "  driver:       %s\n", dev->driver);
	fprintf(f, "  kind:         %s%s\n", cxlnic_nic_kind_name(dev->kind),
		dev->quiesce ? ", quiesced before a loss" : "");
	if (dev->serial)
		fprintf(f, "  serial:       %s\n",
			format_serial(dev->serial, serial, sizeof(serial)));
	if (dev->ifindex)
		fprintf(f, "  netdev:       %s (ifindex %" PRIu32 ")\n",
			dev->ifname, dev->ifindex);
	else if (dev->link_was_up)
		fprintf(f, "  netdev:       none (the last one was up)\n");
	fprintf(f, "  mode:         %s\n", cxlnic_mode_name(dev->mode));
	fprintf(f, "  generation:   %" PRIu32 "\n", dev->generation);
	fprintf(f, "  last change:  %s\n", cxlnic_reason_name(dev->reason));
	fprintf(f, "  last loss:    %s", cxlnic_reason_name(dev->loss_reason));
	if (dev->has_loss_piece)
		fprintf(f, " (%s %s)", cxlnic_piece_kind_name(dev->loss_piece.kind),
			dev->loss_piece.name);
	fputs(dev->lost ? ", not repaired\n" : "\n", f);
	if (dev->has_region) {
		fprintf(f, "  region:       %s at 0x%" PRIx64 ", %s, %s\n",
			dev->region, dev->region_base,
			human_size(dev->region_size, size, sizeof(size)),
			cxlnic_decoder_mode_name(dev->decoder_mode));
	}
	for (i = 0; i < dev->n_pieces; i++)
		fprintf(f, "  %-13s %-16s %s\n",
			cxlnic_piece_kind_name(dev->pieces[i].kind),
			dev->pieces[i].name,
			cxlnic_piece_state_name(dev->pieces[i].state));
	if (dev->pieces_truncated)
		fprintf(f, "  (more pieces than cxlnicctl can show)\n");
	fprintf(f, "  cxl:          %" PRIu64 " packets, %" PRIu64 " bytes\n",
		dev->stats.cxl_packets, dev->stats.cxl_bytes);
	fprintf(f, "  pci:          %" PRIu64 " packets, %" PRIu64 " bytes\n",
		dev->stats.pci_packets, dev->stats.pci_bytes);
	fprintf(f, "  fallbacks:    %" PRIu64 ", reattaches %" PRIu64 "\n",
		dev->stats.fallbacks, dev->stats.reattaches);
}

void print_event_line(FILE *f, const struct cxlnic_dev_info *ev)
{
	char stamp[16];
	time_t now = time(NULL);

	strftime(stamp, sizeof(stamp), "%H:%M:%S", localtime(&now));
	fprintf(f, "[%s] %s %s gen %" PRIu32, stamp, ev->pci_addr,
		cxlnic_event_name(ev->cmd), ev->generation);
	if (ev->has_prev_mode)
		fprintf(f, " mode %s -> %s reason %s",
			cxlnic_mode_name(ev->prev_mode),
			cxlnic_mode_name(ev->mode),
			cxlnic_reason_name(ev->reason));
	if (ev->has_piece)
		fprintf(f, " %s %s %s",
			cxlnic_piece_kind_name(ev->piece.kind), ev->piece.name,
			cxlnic_piece_event_name(ev->piece_event));
	fputc('\n', f);
	fflush(f);
}

void print_json_pretty(struct json_object *o)
{
	puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
					       JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}

void print_json_line(struct json_object *o)
{
	puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
					       JSON_C_TO_STRING_NOSLASHESCAPE));
	fflush(stdout);
	json_object_put(o);
}
