// SPDX-License-Identifier: GPL-2.0-only
/*
 * An operator's choice of PCI, read from what the family says of a NIC
 * (a dump, an event, the reply to an attach) and kept as intent.
 */
#include "cxlnic_names.h"
#include "daemon.h"
#include "log.h"
#include "policy.h"

/*
 * An operator's detach or dev-set to pci is intent: kept here and in the
 * state file, since the kernel's reason says only the last change and the
 * next loss overwrites it.  Seen on CXL again, the choice is over.
 */
void observe_operator_choice(struct daemon *d, struct nic *nic,
			     unsigned int mode, unsigned int reason)
{
	bool chose = policy_operator_chose_pci(nic->st.operator_pci,
					       mode == CXLNIC_CTPIO_MODE_CXL,
					       cxlnic_reason_is_operator(reason));

	if (chose == nic->st.operator_pci)
		return;
	nic->st.operator_pci = chose;
	daemon_note(d, LOG_INFO, HISTORY_DAEMON, nic->st.pci_addr,
		    "operator-choice", 0, -1, "%s",
		    chose ? "put on PCI by an operator: cxlnicd leaves it there until it is attached again or 'cxlnicctl recover' asks for CXL" :
			    "on CXL again: the operator's choice of PCI is over");
	save_state(d);
}
