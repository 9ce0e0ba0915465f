# Roofline: arithmetic intensity (flop/byte) vs GFLOPS of every case at the most threads,
# under the measured FMA peak and read bandwidths (tools/peak, all threads).
# call: gnuplot -e "dir='DIR'" roofline.gp
load dir.'/roofs.gp'
set terminal pngcairo size 1000,650 noenhanced
set output dir.'/roofline.png'
set logscale xy
set xrange [0.05:1000]
set yrange [0.1:peak_all*3]
set xlabel 'arithmetic intensity (flop/byte, compulsory traffic)'
set ylabel 'GFLOPS'
set key outside right top
set grid
set title sprintf('roofline, %d threads: FMA peak %.0f GFLOPS, DRAM %.0f GB/s, L3 %.0f GB/s', threads_max, peak_all, bw_DRAM, bw_L3)
roof(x, b) = (b * x < peak_all) ? b * x : peak_all
plot roof(x, bw_DRAM) title 'DRAM roof' lw 2 lc rgb 'black', \
     roof(x, bw_L3) title 'L3 roof' dashtype 2 lc rgb 'dark-gray', \
     roof(x, bw_L2) title 'L2 roof' dashtype 3 lc rgb 'gray', \
     peak_1t title '1-core FMA peak' dashtype 4 lc rgb 'red', \
     dir.'/roofline.csv' using 2:($4 == 1 ? $3 : 1/0) with points pt 7 ps 1.2 lc rgb 'blue' title 'mcdl', \
     '' using 2:($4 == 1 ? $3 : 1/0):1 with labels offset 0.5,0.5 left font ',6' notitle, \
     '' using 2:($4 == 0 ? $3 : 1/0) with points pt 6 ps 1.2 lc rgb 'dark-orange' title 'oneDNN / OpenBLAS (same shapes)'
