// SPDX-License-Identifier: GPL-2.0-only
/*
 * The debug kernel's self-test (tests/vm/debug-selftest.sh): each bug the
 * debug kernel must catch, committed on purpose when this module loads, so
 * that the bench can see that vmrun fails a run on it.  Never loaded
 * anywhere else.
 *
 *   insmod cxlnic_debugcheck.ko bugs=lockdep,sleep,leak,kasan
 *   insmod cxlnic_debugcheck.ko bugs=rcu
 *
 * Order matters: lockdep stops after its first report (and so does its RCU
 * checker), and a KASAN report turns lock debugging off (kernel taint), so
 * lockdep or rcu goes first and kasan last.
 */
#include <linux/compiler.h>
#include <linux/delay.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/preempt.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/string.h>

static char *bugs = "";
module_param(bugs, charp, 0444);
MODULE_PARM_DESC(bugs, "comma-separated: lockdep, rcu, sleep, leak, kasan");

static DEFINE_MUTEX(lock_a);
static DEFINE_MUTEX(lock_b);
static int __rcu *rcu_ptr;
static void *leaked;

static bool want(const char *name)
{
	const char *p = bugs;
	size_t n = strlen(name);

	while ((p = strstr(p, name))) {
		if ((p == bugs || p[-1] == ',') && (p[n] == ',' || !p[n]))
			return true;
		p += n;
	}
	return false;
}

static int __init debugcheck_init(void)
{
	if (want("lockdep")) {
		/* A then B, then B then A: "possible circular locking". */
		mutex_lock(&lock_a);
		mutex_lock(&lock_b);
		mutex_unlock(&lock_b);
		mutex_unlock(&lock_a);
		mutex_lock(&lock_b);
		mutex_lock(&lock_a);
		mutex_unlock(&lock_a);
		mutex_unlock(&lock_b);
	}
	if (want("rcu")) {
		/* Outside rcu_read_lock(): "suspicious RCU usage". */
		int *p = rcu_dereference(rcu_ptr);

		pr_info("cxlnic_debugcheck: rcu %p\n", p);
	}
	if (want("sleep")) {
		/* "BUG: sleeping function called from invalid context". */
		preempt_disable();
		might_sleep();
		preempt_enable();
	}
	if (want("leak")) {
		/*
		 * Lost on purpose: kmemleak's scan must report them.  Sixteen,
		 * not one: the last pointer may stay behind in insmod's
		 * kernel stack, which the kernel keeps cached after the task
		 * exits and which kmemleak scans.  (Without vmrun's
		 * slab_debug=F, the per-CPU sheaf they came from kept a
		 * pointer to each: kmemleak reported at most one.)
		 */
		int i;

		for (i = 0; i < 16; i++)
			WRITE_ONCE(leaked, kmalloc(1000, GFP_KERNEL));
		WRITE_ONCE(leaked, NULL);
	}
	if (want("kasan")) {
		/* "BUG: KASAN: slab-use-after-free". */
		char *p = kmalloc(64, GFP_KERNEL);

		if (p) {
			kfree(p);
			OPTIMIZER_HIDE_VAR(p);
			pr_info("cxlnic_debugcheck: read %d\n", READ_ONCE(p[8]));
		}
	}
	return 0;
}

static void __exit debugcheck_exit(void)
{
}

module_init(debugcheck_init);
module_exit(debugcheck_exit);
MODULE_DESCRIPTION("cxlnic bench: bugs the debug kernel must report");
MODULE_LICENSE("GPL");
