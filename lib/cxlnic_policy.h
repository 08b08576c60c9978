/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Attribute policies for libnl's nla_parse(), shared by every parser of a
 * netlink reply (the cxlnic family's, devlink's).  libnl checks only a
 * minimum length for integers: these pin the maximum too, so a u64 where a
 * u32 belongs is refused rather than read in part.  NLA_STRING has libnl
 * check that the string ends in its NUL.
 */
#ifndef CXLNIC_POLICY_H
#define CXLNIC_POLICY_H

#include <stdint.h>
#include <netlink/attr.h>

#define POLICY_U8	{ .type = NLA_U8, .maxlen = sizeof(uint8_t) }
#define POLICY_U32	{ .type = NLA_U32, .maxlen = sizeof(uint32_t) }
#define POLICY_U64	{ .type = NLA_U64, .maxlen = sizeof(uint64_t) }
#define POLICY_STRING	{ .type = NLA_STRING }
#define POLICY_NESTED	{ .type = NLA_NESTED }
#define POLICY_FLAG	{ .type = NLA_FLAG }

#endif
