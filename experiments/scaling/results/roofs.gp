peak_all = 232.32
peak_1t = 117.18
bw_L1 = 438.84
bw_L2 = 221.26
bw_L3 = 111.62
bw_DRAM = 4.79
threads_max = 2
