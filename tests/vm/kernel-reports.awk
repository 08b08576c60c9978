# Splits a guest kernel's log into its reports and names the known ones.
#
#   awk -v starts=FILE [-v also=ERE] -v known=FILE -v out=PREFIX \
#       -f kernel-reports.awk LOG...
#
# A report starts at a line that matches an expression of the starts FILE
# (tests/vm/kernel-report-starts), or also, and runs to the end of its stack
# dump ("</TASK>", "---[ end trace"), to the next line that starts one, or
# to 400 lines.  A report is known when an entry of FILE
# (tests/vm/known-kernel-reports) fits it.  The logs are the console's and
# dmesg, which mostly hold the same reports: a report is kept once (by its
# first line, timestamp and all), known if either copy is.
#
# Writes each report whole to PREFIX.known or PREFIX.unknown, and prints one
# line per report, in the order met: its entry's id or "unknown", a tab, and
# its first line.  Exits 2 on a malformed known FILE or an empty starts FILE.

function strip(line) {
	sub(/^\[ *[0-9]+\.[0-9]+\] ?/, "", line)
	sub(/^[ \t]+/, "", line)
	return line
}

# The starts file's expressions, joined into one.
function load_starts(line, ere, rc) {
	while ((rc = (getline line < starts)) > 0) {
		sub(/^[ \t]+/, "", line)
		sub(/[ \t]+$/, "", line)
		if (line != "" && line !~ /^#/)
			ere = ere (ere == "" ? "" : "|") line
	}
	close(starts)
	if (ere == "") {
		printf "kernel-reports.awk: %s: %s\n", starts,
			(rc < 0 ? "cannot be read" : "no expression") > "/dev/stderr"
		failed = 1
	}
	if (also != "")
		ere = ere "|" also
	return ere
}

function known_error(msg) {
	printf "kernel-reports.awk: %s:%d: %s\n", known, known_line, msg > "/dev/stderr"
	failed = 1
}

function load_known(line, word, k) {
	nknown = 0
	while ((getline line < known) > 0) {
		known_line++
		if (line ~ /^(#|[ \t]*$)/)
			continue
		word = line
		sub(/[ \t].*/, "", word)
		sub(/^[a-z]+[ \t]+/, "", line)
		if (word == "id") {
			nknown++
			id[nknown] = line
			nneeds[nknown] = 0
		} else if (nknown == 0) {
			known_error("\"" word "\" before the first id")
		} else if (word == "header") {
			header[nknown] = line
		} else if (word == "needs") {
			needs[nknown, ++nneeds[nknown]] = line
		} else if (word == "why") {
			why[nknown] = why[nknown] "  why: " line "\n"
		} else {
			known_error("unknown word \"" word "\"")
		}
	}
	close(known)
	for (k = 1; k <= nknown; k++)
		if (header[k] == "" || nneeds[k] == 0)
			known_error("entry " id[k] " needs a header and a needs")
}

# The entry that fits the open report, or 0.
function known_entry(k, n, i, found) {
	for (k = 1; k <= nknown; k++) {
		if (lines[1] !~ header[k])
			continue
		for (n = 1; n <= nneeds[k]; n++) {
			found = 0
			for (i = 1; i <= nlines && !found; i++)
				found = lines[i] ~ needs[k, n]
			if (!found)
				break
		}
		if (n > nneeds[k])
			return k
	}
	return 0
}

function close_report(k) {
	if (!nlines)
		return
	k = known_entry()
	if (!(key in entry)) {
		order[++nreports] = key
		entry[key] = k
		text[key] = body
		first[key] = lines[1]
	} else if (!entry[key] && k) {
		entry[key] = k
		text[key] = body
	}
	nlines = 0
	body = ""
}

BEGIN {
	bad = load_starts()
	load_known()
	if (failed)
		exit 2
}

FNR == 1 {
	close_report()
}

{
	sub(/\r$/, "")
	line = strip($0)
	opens = line ~ bad
	if (opens) {
		close_report()
		key = $0
	}
	if (opens || nlines) {
		lines[++nlines] = line
		body = body $0 "\n"
		if (line == "</TASK>" || line ~ /^---\[ end trace/ || nlines >= 400)
			close_report()
	}
}

END {
	if (failed)
		exit 2
	close_report()
	for (r = 1; r <= nreports; r++) {
		key = order[r]
		k = entry[key]
		if (k) {
			printf "--- known report %s\n%s%s", id[k], why[k], text[key] > (out ".known")
			print id[k] "\t" first[key]
		} else {
			printf "--- report\n%s", text[key] > (out ".unknown")
			print "unknown\t" first[key]
		}
	}
}
