#!/bin/sh
# Build the modules out of the source tree: Kbuild on 6.1 writes its objects
# next to the sources, so copy them into the meson build directory first.
#   build-modules.sh SRCDIR OUTDIR KDIR [make args...]
set -eu
src=$1 out=$2 kdir=$3
shift 3
mkdir -p "$out/sim" "$out/include/linux" "$out/uapi/linux"
cp "$src"/Kbuild "$src"/*.c "$src"/*.h "$out/"
cp "$src"/sim/*.c "$out/sim/"
cp "$src"/include/linux/*.h "$out/include/linux/"
# The UAPI header lives outside kernel/; Kbuild finds it through -I.
cp "$src"/../include/uapi/linux/cxlnic.h "$out/uapi/linux/"
sed -i 's|-I$(src)/../include|-I$(src)|' "$out/Kbuild"
exec make -C "$kdir" M="$out" "$@" modules
