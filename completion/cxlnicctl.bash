# bash completion for cxlnicctl(8): commands, options, NIC names (PCI
# addresses from the kernel family), regions (from sysfs) and policy keys.

_cxlnicctl_nics()
{
	cxlnicctl list 2>/dev/null | awk 'NR > 1 && $2 ~ /:/ { print $2 }'
}

_cxlnicctl_regions()
{
	local r
	for r in /sys/bus/cxl/devices/region*; do
		[ -e "$r" ] && echo "${r##*/}"
	done
}

_cxlnicctl()
{
	local cur prev cmd i nargs=0
	COMPREPLY=()
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD - 1]}
	local commands="list show mode attach detach monitor status policy
		recover unbind bind history version help"

	if [ "$COMP_CWORD" -eq 1 ]; then
		COMPREPLY=($(compgen -W "$commands --help --version" -- "$cur"))
		return
	fi
	cmd=${COMP_WORDS[1]}
	# Operands typed so far (options and their arguments left out).
	for ((i = 2; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		--memdev|--endpoint|--decoder|--count|--timeout) ((i++)) ;;
		-*) ;;
		*) ((nargs++)) ;;
		esac
	done
	case $prev in
	--memdev)
		COMPREPLY=($(compgen -W "$(ls /sys/bus/cxl/devices 2>/dev/null |
			grep '^mem')" -- "$cur")); return ;;
	--endpoint)
		COMPREPLY=($(compgen -W "$(ls /sys/bus/cxl/devices 2>/dev/null |
			grep '^endpoint')" -- "$cur")); return ;;
	--decoder)
		COMPREPLY=($(compgen -W "$(ls /sys/bus/cxl/devices 2>/dev/null |
			grep '^decoder')" -- "$cur")); return ;;
	--count|--timeout)
		return ;;
	esac
	if [[ $cur == -* ]]; then
		local opts=""
		case $cmd in
		list) opts="-v --json" ;;
		show) opts="--json" ;;
		status|policy|recover|unbind|bind) opts="--json --timeout" ;;
		attach) opts="--memdev --endpoint --decoder" ;;
		monitor) opts="--json --count --timeout" ;;
		history) opts="--json --count --timeout" ;;
		esac
		COMPREPLY=($(compgen -W "$opts" -- "$cur"))
		return
	fi
	case $cmd:$nargs in
	show:0|mode:0|attach:0|detach:0|status:0|policy:0|recover:0|unbind:0|bind:0|history:0)
		COMPREPLY=($(compgen -W "$(_cxlnicctl_nics)" -- "$cur")) ;;
	mode:1)
		COMPREPLY=($(compgen -W "cxl pci" -- "$cur")) ;;
	attach:1)
		COMPREPLY=($(compgen -W "$(_cxlnicctl_regions)" -- "$cur")) ;;
	policy:1)
		COMPREPLY=($(compgen -W "on_loss region recovery grace_ms
			backoff_ms backoff_max_ms max_attempts escalate_after
			region_size decoder_mode dax memdev_serial" -- "$cur")) ;;
	policy:2)
		case $prev in
		on_loss) COMPREPLY=($(compgen -W "fallback unbind none default" -- "$cur")) ;;
		region|recovery) COMPREPLY=($(compgen -W "auto manual default" -- "$cur")) ;;
		decoder_mode) COMPREPLY=($(compgen -W "any host-only device-coherent default" -- "$cur")) ;;
		dax) COMPREPLY=($(compgen -W "none any default" -- "$cur")) ;;
		*) COMPREPLY=($(compgen -W "default" -- "$cur")) ;;
		esac ;;
	esac
}
complete -F _cxlnicctl cxlnicctl
