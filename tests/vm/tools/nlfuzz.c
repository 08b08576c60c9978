// SPDX-License-Identifier: GPL-2.0-only
/*
 * nlfuzz: throws generated and mutated requests at the cxlnic family: every
 * command number (and unknown ones), do and dump, random attribute types,
 * lengths and payloads, nests up to three deep, mixed with well-formed
 * requests that really change the NICs.  Then checks that the family still
 * answers a dump with every NIC intact.
 *
 *   nlfuzz [--count N] [--seed S] [--expect-eperm] [--expect-nics N]
 *
 * The closing dump must work and show sane NICs; with --expect-nics, that
 * many (leave it out while NICs come and go).
 * --expect-eperm (as an unprivileged user): every mutating request must
 * fail with EPERM, whatever its attributes.  Prints a tally of the errnos;
 * exits 0 when the family behaved, 1 otherwise.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/attr.h>
#include <netlink/msg.h>

#include "cxlnic_nl.h"

#define MAX_ERRNO 200

static unsigned long long rng_state;

/* xorshift64*: reproducible from --seed, no libc rand() state. */
static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ULL;
}

static unsigned int below(unsigned int n)
{
	return (unsigned int)(rnd() % n);
}

static const char *const names[] = {
	"region0", "region1", "mem0", "mem1", "mem2", "endpoint4",
	"decoder4.0", "", "x", "region999",
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
};

/* A payload that is sometimes the right shape, mostly not. */
static void put_random_attr(struct nl_msg *msg, int depth, uint32_t handle)
{
	uint8_t buf[80];
	uint16_t type = (uint16_t)below(CXLNIC_A_MAX + 4);
	unsigned int len, i, n;
	struct nlattr *nest;

	switch (below(8)) {
	case 0:
		nla_put_u8(msg, type, (uint8_t)rnd());
		return;
	case 1:
		nla_put_u32(msg, type, below(4) ? handle : (uint32_t)rnd());
		return;
	case 2:
		nla_put_u64(msg, type, rnd());
		return;
	case 3:
		nla_put_string(msg, type, names[below(sizeof(names) / sizeof(names[0]))]);
		return;
	case 4:
		if (depth >= 3)
			break;
		nest = nla_nest_start(msg, type);
		n = below(4);
		for (i = 0; i < n; i++)
			put_random_attr(msg, depth + 1, handle);
		if (nest)
			nla_nest_end(msg, nest);
		return;
	default:
		break;
	}
	len = below(sizeof(buf));
	for (i = 0; i < len; i++)
		buf[i] = (uint8_t)rnd();
	nla_put(msg, type | (below(4) ? 0 : NLA_F_NESTED), (int)len, buf);
}

/* A well-formed request: the noise must not hide real work. */
static void put_valid(struct nl_msg *msg, uint8_t cmd, uint32_t handle)
{
	nla_put_u32(msg, CXLNIC_A_DEV_HANDLE, handle);
	if (cmd == CXLNIC_CMD_DEV_SET)
		nla_put_u8(msg, CXLNIC_A_DEV_MODE, below(2) ?
			   CXLNIC_CTPIO_MODE_PCI : CXLNIC_CTPIO_MODE_CXL);
	if (cmd == CXLNIC_CMD_REGION_ATTACH)
		nla_put_string(msg, CXLNIC_A_DEV_REGION, names[below(2)]);
}

static bool mutating(uint8_t cmd)
{
	return cmd == CXLNIC_CMD_DEV_SET || cmd == CXLNIC_CMD_REGION_ATTACH ||
	       cmd == CXLNIC_CMD_REGION_DETACH;
}

static int send_one(struct cxlnic_client *c, uint32_t handle, uint8_t *cmd_out,
		    bool *dump_out)
{
	/* Mostly the four real operations, the rest anything at all. */
	uint8_t cmd = (uint8_t)(below(5) ? CXLNIC_CMD_DEV_GET + below(4) :
					   below(CXLNIC_CMD_MAX + 3));
	int flags = below(4) ? 0 : NLM_F_DUMP;
	struct nl_msg *msg = cxlnic_request_new(c, cmd, flags);
	unsigned int i, n;

	*cmd_out = cmd;
	*dump_out = flags & NLM_F_DUMP;
	if (!msg)
		return -ENOMEM;
	if (below(3) == 0) {
		put_valid(msg, cmd, handle);
	} else {
		n = below(6);
		for (i = 0; i < n; i++)
			put_random_attr(msg, 0, handle);
	}
	return cxlnic_request_send(c, msg);
}

/* After the storm: a dump works and lists sane NICs (@expect_nics of them, if not -1). */
static bool family_intact(struct cxlnic_client *c, long expect_nics)
{
	struct cxlnic_dev_list list = { 0 };
	bool ok;
	size_t i;
	int rc = cxlnic_dev_dump(c, &list);

	ok = !rc && (expect_nics < 0 || list.n == (size_t)expect_nics);
	for (i = 0; ok && i < list.n; i++)
		ok = list.devs[i].handle && list.devs[i].pci_addr[0] &&
		     list.devs[i].mode <= CXLNIC_CTPIO_MODE_CXL;
	if (!ok)
		fprintf(stderr, "nlfuzz: dump after the run: %s, %zu NICs (expected %ld)\n",
			rc ? cxlnic_strerror(rc) : "ok", list.n, expect_nics);
	cxlnic_dev_list_free(&list);
	return ok;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "count", required_argument, NULL, 'n' },
		{ "seed", required_argument, NULL, 's' },
		{ "expect-eperm", no_argument, NULL, 'p' },
		{ "expect-nics", required_argument, NULL, 'e' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long tally[MAX_ERRNO + 1] = { 0 }, count = 10000, i;
	struct cxlnic_dev_list list = { 0 };
	struct cxlnic_client *c;
	bool expect_eperm = false, ok = true, dump = false;
	long expect_nics = -1;
	uint8_t cmd = 0;
	int opt, rc;

	rng_state = 0x9e3779b97f4a7c15ULL;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'n': count = strtoul(optarg, NULL, 0); break;
		case 's': rng_state = strtoull(optarg, NULL, 0) | 1; break;
		case 'p': expect_eperm = true; break;
		case 'e': expect_nics = strtol(optarg, NULL, 0); break;
		default: return 2;
		}
	}
	if (cxlnic_client_open(&c) || cxlnic_dev_dump(c, &list) || !list.n) {
		fprintf(stderr, "nlfuzz: no family or no NIC to aim at\n");
		return 1;
	}
	for (i = 0; i < count; i++) {
		rc = send_one(c, list.devs[below((unsigned int)list.n)].handle, &cmd,
			      &dump);
		tally[-rc <= MAX_ERRNO && rc <= 0 ? -rc : MAX_ERRNO]++;
		/*
		 * A mutation asked for as a dump: the genetlink core of 6.2
		 * and later finds no dump of it (EOPNOTSUPP) before it looks
		 * at permissions; 6.1 says EPERM first.  Refused either way.
		 */
		if (expect_eperm && mutating(cmd) && rc != -EPERM &&
		    !(dump && rc == -EOPNOTSUPP)) {
			fprintf(stderr, "nlfuzz: request %lu (cmd %u) as an unprivileged user: %s, expected EPERM\n",
				i, cmd, cxlnic_strerror(rc));
			ok = false;
		}
	}
	for (i = 0; i <= MAX_ERRNO; i++)
		if (tally[i])
			printf("nlfuzz: %s: %lu\n", i ? strerror((int)i) : "ok", tally[i]);
	ok = family_intact(c, expect_nics) && ok;
	printf("nlfuzz: %lu requests, family %s\n", count, ok ? "intact" : "BROKEN");
	cxlnic_dev_list_free(&list);
	cxlnic_client_close(c);
	return ok ? 0 : 1;
}
