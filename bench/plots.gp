# SPDX-License-Identifier: MIT
# Plots of a synk benchmark run (data written by synk_bench --plots DIR).
# usage: gnuplot -e "datadir='DIR'; outdir='OUT'" bench/plots.gp
set terminal pngcairo size 960,600 font "sans,10"
set datafile missing "NaN"
set grid
set key left top

# ---- ns per entity of synk_rehash against world size, per ISA, XXH3 for scale
set output outdir."/rehash_ns_per_op.png"
set title "synk\\_rehash: ns per entity vs live entities (solid: 0 props, dashed: 4 props)"
set logscale xy
set xlabel "live entities"
set ylabel "ns per entity (log)"
plot for [i=2:*] datadir."/rehash_p0.dat" using 1:i with linespoints lw 2 pt 7 title columnhead(i)." p0", \
     for [i=2:*] datadir."/rehash_p4.dat" using 1:i with linespoints lw 2 dt 2 pt 6 title columnhead(i)." p4"

# ---- ns per motion of a batch against batch size (= world size), per ISA and peers
set output outdir."/motion_ns_per_op.png"
set title "batch motion: ns per motion vs batch size (random ids over a world of the same size)"
set xlabel "motions per batch (= entities)"
set ylabel "ns per motion (log)"
plot for [i=2:*] datadir."/motion_rand.dat" using 1:i with linespoints lw 2 pt 7 title columnhead(i)

# ---- speedup over scalar, per kernel case
unset logscale
set output outdir."/speedup_over_scalar.png"
set title "speedup over the scalar reference (same case, same run; above 1 is faster)"
set style data histogram
set style histogram cluster gap 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set xtics rotate by -40 scale 0 font ",8"
set xlabel ""
set ylabel "scalar ns/op / backend ns/op"
set yrange [0:*]
set key right top
plot for [i=2:*] datadir."/speedup.dat" using i:xtic(1) title columnhead(i), 1 with lines lc rgb "black" dt 2 notitle
