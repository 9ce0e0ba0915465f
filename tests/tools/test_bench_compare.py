#!/usr/bin/python3
"""Unit tests of tools/bench-compare on synthetic Google Benchmark JSON: the Mann-Whitney U
p-values against known values, no regression for identical distributions, exit 1 and a
REGRESSION row for a clear slowdown. Args: source-dir build-dir."""
import importlib.machinery
import importlib.util
import json
import os
import random
import subprocess
import sys
import tempfile
import unittest

SRC = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..")
TOOL = os.path.join(SRC, "tools", "bench-compare")


def load_tool():
    loader = importlib.machinery.SourceFileLoader("bench_compare", TOOL)
    spec = importlib.util.spec_from_loader("bench_compare", loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


bc = load_tool()


def write_run(path, cases, counters=None):
    """cases: {name: [real_time in ns per repetition]} -> Google Benchmark JSON with the
    per-repetition entries and the aggregates, as --benchmark_repetitions writes them;
    counters: extra fields of every entry (e.g. GFLOPS)."""
    entries = []
    for name, times in cases.items():
        for i, t in enumerate(times):
            entries.append(dict({"name": name, "run_name": name, "run_type": "iteration",
                                 "repetitions": len(times), "repetition_index": i,
                                 "iterations": 1000, "real_time": t, "cpu_time": t,
                                 "time_unit": "ns"}, **(counters or {})))
        entries.append({"name": name + "_median", "run_name": name, "run_type": "aggregate",
                        "aggregate_name": "median", "real_time": sorted(times)[len(times) // 2],
                        "cpu_time": 0, "time_unit": "ns"})
    with open(path, "w") as f:
        json.dump({"context": {}, "benchmarks": entries}, f)


def run_tool(*args):
    r = subprocess.run([sys.executable, TOOL] + list(args), capture_output=True, text=True)
    return r.returncode, r.stdout + r.stderr


class MannWhitney(unittest.TestCase):
    def test_scipy_documented_example(self):
        # scipy.stats.mannwhitneyu docs: males vs females, exact two-sided: U=17, p=1/9.
        u, p, method = bc.mann_whitney_u([19, 22, 16, 29, 24], [20, 11, 17, 12])
        self.assertEqual(u, 17.0)
        self.assertEqual(method, "exact")
        self.assertAlmostEqual(p, 0.1111111111111111, places=12)

    def test_complete_separation_5_vs_5(self):
        # The smallest exact two-sided p with 5 and 5: 2 / C(10, 5) = 2/252.
        _, p, _ = bc.mann_whitney_u([1, 2, 3, 4, 5], [6, 7, 8, 9, 10])
        self.assertAlmostEqual(p, 2 / 252, places=12)
        self.assertLess(p, 0.01)
        _, p4, _ = bc.mann_whitney_u([1, 2, 3, 4], [6, 7, 8, 9])
        self.assertAlmostEqual(p4, 2 / 70, places=12)
        self.assertGreater(p4, 0.01)  # 4 repetitions can never reach p < 0.01
        self.assertAlmostEqual(bc.min_exact_p(5, 5), 2 / 252, places=12)

    def test_ties_use_corrected_normal(self):
        # Ranks 1,3,3,3,5.. -> U=3; tie-corrected variance 25/12*(11 - 24/90); z=(9.5-.5)/sd.
        u, p, method = bc.mann_whitney_u([1, 2, 2, 3, 4], [2, 5, 6, 7, 8])
        self.assertEqual((u, method), (3.0, "normal"))
        self.assertAlmostEqual(p, 0.0570079, places=6)

    def test_exact_counts_sum_to_binomial(self):
        for n1, n2 in ((1, 1), (3, 7), (10, 10)):
            counts = bc.exact_u_counts(n1, n2)
            self.assertEqual(len(counts), n1 * n2 + 1)
            self.assertEqual(sum(counts), __import__("math").comb(n1 + n2, n1))
            self.assertEqual(counts, counts[::-1])  # U is symmetric about n1*n2/2


class CompareFiles(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.base = os.path.join(self.tmp.name, "base.json")
        self.cand = os.path.join(self.tmp.name, "cand.json")

    def tearDown(self):
        self.tmp.cleanup()

    def test_identical_distributions_no_regression(self):
        rng = random.Random(1)
        cases = {f"op{i}:mcdl:n{i}": [1000 + rng.gauss(0, 30) for _ in range(5)]
                 for i in range(4)}
        write_run(self.base, cases)
        write_run(self.cand, cases)
        rc, out = run_tool(self.base, self.cand)
        self.assertEqual(rc, 0, out)
        self.assertNotIn("REGRESSION", out)
        self.assertIn("4 case(s) compared, 0 regression(s)", out)

    def test_clear_slowdown_flagged(self):
        rng = random.Random(2)
        base = {"gemm:mcdl:m64": [1000 + rng.uniform(-10, 10) for _ in range(5)],
                "gemm:mcdl:m128": [2000 + rng.uniform(-10, 10) for _ in range(5)]}
        cand = {"gemm:mcdl:m64": [1300 + rng.uniform(-10, 10) for _ in range(5)],
                "gemm:mcdl:m128": list(base["gemm:mcdl:m128"])}
        write_run(self.base, base)
        write_run(self.cand, cand)
        rc, out = run_tool(self.base, self.cand)
        self.assertEqual(rc, 1, out)
        rows = {line.split()[0]: line for line in out.splitlines() if line.startswith("gemm")}
        self.assertIn("REGRESSION", rows["gemm:mcdl:m64"])
        change = float(rows["gemm:mcdl:m64"].split()[5].rstrip("%"))
        self.assertTrue(27.0 < change < 33.0, rows["gemm:mcdl:m64"])
        self.assertIn("0.0079", rows["gemm:mcdl:m64"])
        self.assertNotIn("REGRESSION", rows["gemm:mcdl:m128"])

    def test_small_slowdown_below_threshold_not_flagged(self):
        base = {"c": [1000, 1001, 1002, 1003, 1004]}
        cand = {"c": [1030, 1031, 1032, 1033, 1034]}  # significant, but only +3%
        write_run(self.base, base)
        write_run(self.cand, cand)
        self.assertEqual(run_tool(self.base, self.cand)[0], 0)
        rc, out = run_tool(self.base, self.cand, "--threshold", "2")
        self.assertEqual(rc, 1, out)

    def test_too_few_repetitions_never_flags(self):
        write_run(self.base, {"c": [1000, 1001, 1002]})
        write_run(self.cand, {"c": [2000, 2001, 2002]})
        rc, out = run_tool(self.base, self.cand)
        self.assertEqual(rc, 0, out)
        self.assertIn("smallest possible p", out)

    def test_pooled_files_and_json_output(self):
        other = os.path.join(self.tmp.name, "base2.json")
        write_run(self.base, {"c": [1000, 1001, 1002]})
        write_run(other, {"c": [1003, 1004]})
        write_run(self.cand, {"c": [1500, 1501, 1502, 1503, 1504]})
        out_json = os.path.join(self.tmp.name, "out.json")
        rc, out = run_tool(self.base + "," + other, self.cand, "--json", out_json)
        self.assertEqual(rc, 1, out)
        with open(out_json) as f:
            doc = json.load(f)
        self.assertTrue(doc["regressed"])
        self.assertEqual(doc["cases"][0]["n_base"], 5)
        self.assertAlmostEqual(doc["cases"][0]["change"], 0.5, places=2)

    def test_peak_share(self):
        write_run(self.base, {"g": [1000] * 5}, {"GFLOPS": 40.0, "threads": 2})
        write_run(self.cand, {"g": [1001] * 5}, {"GFLOPS": 50.0, "threads": 2})
        peak = os.path.join(self.tmp.name, "peak.json")
        with open(peak, "w") as f:
            json.dump({"peak_gflops_1t": 100.0, "peak_gflops_all": 180.0}, f)
        rc, out = run_tool(self.base, self.cand, "--peak", peak)
        self.assertEqual(rc, 0, out)
        row = [line for line in out.splitlines() if line.startswith("g ")][0]
        self.assertIn("50.0", row)  # candidate GFLOPS
        self.assertIn("25%", row)  # of 2 threads x 100 GFLOPS

    def test_bad_input_exit_2(self):
        with open(self.base, "w") as f:
            f.write("not json")
        write_run(self.cand, {"c": [1]})
        rc, out = run_tool(self.base, self.cand)
        self.assertEqual(rc, 2)
        self.assertIn("cannot read benchmark JSON", out)
        self.assertEqual(run_tool(self.cand)[0], 2)


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0]], verbosity=1)
