"""All of lsun_gan's benchmarks in one run, one table: `python bench/run.py` (from the project root).
Each row compares lsun_gan with a peer measured in the same run; the machine is printed above the table."""
import sys, time
from pathlib import Path
sys.path.insert(0, str(Path(__file__).parent))
from common import machine, table
import bench_data, bench_train, bench_metrics, bench_startup

if __name__ == '__main__':
    t0 = time.time()
    rows = (bench_startup.run() + bench_data.run() + bench_train.run() + bench_train.loader_vs_training() +
            bench_metrics.run())
    print(f"Machine: {machine()}\nData: the 2,000-image LSUN bedroom sample; one run; {time.time()-t0:.0f}s in all.\n")
    print(table(rows))
