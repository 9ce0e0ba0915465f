peak_all = 233.96
peak_1t = 118.01
bw_L1 = 406.66
bw_L2 = 216.54
bw_L3 = 97.06
bw_DRAM = 4.79
threads_max = 2
