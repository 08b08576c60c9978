# The documented JSON shapes (docs/json.md) as jq predicates, for the vm
# tests: `jq -e -L tests/vm/lib 'include "shapes"; nic'`.

def uint: type == "number" and . >= 0 and . == floor;
def str: type == "string";
def only_keys($allowed): (keys - $allowed) == [];
def one_of($set): . as $v | $set | index([$v]) != null;

def piece:
  only_keys(["kind", "name", "state"]) and (.name | str) and
  (.kind | one_of(["root", "port", "endpoint", "memdev", "decoder", "region"])) and
  ((.state == null) or (.state | one_of(["absent", "present", "bound"])));

def stats:
  keys == ["cxl_bytes", "cxl_packets", "fallbacks", "pci_bytes",
           "pci_packets", "reattaches"] and all(.[]; uint);

def nic:
  type == "object" and
  only_keys(["handle", "pci_addr", "driver", "kind", "quiesce", "serial", "ifindex", "ifname", "mode",
             "generation", "last_reason", "loss_reason", "lost", "loss_piece",
             "region", "decoder_mode", "pieces", "pieces_truncated",
             "stats"]) and
  (.handle | uint) and (.generation | uint) and
  (.pci_addr | test("^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\\.[0-7]$")) and
  (.driver | str) and (.mode | one_of(["off", "pci", "cxl"])) and
  (.kind | one_of(["cooperating", "stock"])) and
  ((.quiesce == null) == (.kind == "cooperating")) and
  ((.quiesce == null) or (.quiesce | type == "boolean")) and
  ((.serial == null) or (.serial | uint)) and
  (.last_reason | str) and (.lost | type == "boolean") and
  ((.loss_piece == null) or (.loss_piece | piece)) and
  ((.region == null) or ((.region | keys) == ["base", "name", "size"] and
    (.region.base | uint) and (.region.size | uint) and (.region.name | str))) and
  ((.decoder_mode == null) or
    (.decoder_mode | one_of(["unknown", "host-only", "device-coherent"]))) and
  (.pieces | type == "array" and all(.[]; piece)) and
  (.stats | stats);

def event:
  (del(.event, .prev_mode, .reason, .piece, .piece_event) | nic) and
  (.event | one_of(["dev-add", "dev-del", "dev-change", "piece"])) and
  ((.piece == null) or (.piece | piece)) and
  ((.piece_event == null) or (.piece_event | one_of(["lost", "returned"])));

def policy:
  keys == ["backoff_max_ms", "backoff_ms", "dax", "decoder_mode",
           "escalate_after", "grace_ms", "max_attempts", "memdev_serial", "on_loss", "recovery",
           "region", "region_size"] and
  (.on_loss | one_of(["fallback", "unbind", "none"])) and
  (.region | one_of(["auto", "manual"])) and
  (.recovery | one_of(["auto", "manual"])) and
  (.decoder_mode | one_of(["any", "host-only", "device-coherent"])) and
  (.dax | one_of(["none", "any"])) and
  (.grace_ms | uint) and (.backoff_ms | uint) and (.backoff_max_ms | uint) and
  (.max_attempts | uint) and (.escalate_after | uint) and
  (.region_size | uint) and ((.memdev_serial == null) or (.memdev_serial | uint));

def daemon_status:
  keys == ["config", "history_entries", "nics", "on_cxl", "pid",
           "read_group", "registered", "resyncs", "state_file",
           "uptime_ms", "version"] and
  (.pid | uint) and (.nics | uint) and (.on_cxl | uint) and
  (.registered | uint) and (.resyncs | uint) and (.uptime_ms | uint) and
  (.history_entries | uint) and (.version | str) and (.config | str);

def daemon_nic:
  only_keys(["pci_addr", "state", "driver", "managed", "nic", "waiting_for",
             "dax_device", "pending", "last_step", "last_error", "failures", "retry_in_ms",
             "recover_requested", "operator_pci", "policy", "policy_changes"]) and
  (.state | one_of(["on-cxl", "on-pci", "waiting", "retrying", "gave-up",
                    "unbound", "held", "absent"])) and
  (.managed | type == "boolean") and (.failures | uint) and
  (.operator_pci | type == "boolean") and
  ((.nic == null) or (.nic | nic)) and
  ((.waiting_for == null) or
    (.waiting_for | one_of(["root", "memdev", "region", "decoder-mode",
                            "dax", "grace-period", "loss-grace"]))) and
  ((.dax_device == null) or (.dax_device | startswith("dax"))) and
  (.policy | policy) and (.policy_changes | type == "object");

def history_entry:
  only_keys(["seq", "time_usec", "kind", "nic", "what", "ok", "error",
             "duration_ms", "message", "source"]) and
  (.seq | uint) and (.time_usec | uint) and
  (.kind | one_of(["event", "action", "control", "daemon"])) and
  (.what | str) and (.ok | type == "boolean") and (.message | str) and
  ((.duration_ms == null) or (.duration_ms | uint)) and
  ((.ok) or (.error | str));
