# Speed-up vs threads for every case of DIR/scaling.csv; call: gnuplot -e "dir='DIR'" scaling.gp
set terminal pngcairo size 1300,950 noenhanced
set output dir.'/scaling.png'
set datafile separator ','
set key outside right top font ',7' spacing 0.9
set xlabel 'threads'
set ylabel 'speed-up over 1 thread (best of repetitions)'
set grid
stats dir.'/scaling.csv' using 1 nooutput
tmax = STATS_max
set xrange [1:tmax]
set yrange [0:tmax*1.1]
set xtics 1
ncol = system("head -1 ".dir."/scaling.csv | awk -F, '{print NF}'")
plot x title 'ideal' with lines dashtype 2 lc rgb 'gray', \
     for [i=2:ncol] dir.'/scaling.csv' using 1:i with linespoints title columnhead(i)
