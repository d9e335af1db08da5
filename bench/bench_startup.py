"""Start-up benchmark (one run): how long a console script takes to answer `--help` and a mistyped option, through
`lsun_gan.launch` (arguments parsed from the command's source before torch loads), against the peer of the same
command parsed the old way, by importing its module first (`python -c "import lsun_gan.train"`, the least any
import-first entry point costs); and `lsun_gan_prepare`'s whole run on 50 images against importing `lsun_gan.data`
(torch and fastai), which the command did before preparing moved to `lsun_gan.cache`. Median of 5 runs each, wall
clock, one process at a time."""
import subprocess, sys, time, statistics, tempfile
from pathlib import Path
sys.path.insert(0, str(Path(__file__).parent))
from common import machine, table
from lsun_gan.cache import sample_path

def _secs(cmd, n=5, check=False) -> float:
    "Median wall-clock seconds of `cmd` (or of `cmd(k)` for the k-th run) over `n` runs"
    ts = []
    for k in range(n):
        t = time.perf_counter(); subprocess.run(cmd(k) if callable(cmd) else cmd, capture_output=True, check=check)
        ts.append(time.perf_counter() - t)
    return statistics.median(ts)

def run():
    bin_ = Path(sys.executable).parent
    rows = []
    sample = sample_path(Path(__file__).parent)
    for cmd, mod in (('lsun_gan_train', 'train'), ('lsun_gan_prepare', 'cache'), ('lsun_gan_compare', 'experiment')):
        peer = _secs([sys.executable, '-c', f"import lsun_gan.{mod}"])
        for what, args in (('--help', ['--help']), ('a mistyped option', ['--bogus'])):
            ours = _secs([bin_/cmd, *args])
            rows.append((f"`{cmd}` {what}: seconds to answer (peer: importing `lsun_gan.{mod}` only)", f"{ours:.2f}",
                         f"{peer:.2f}", f"{peer/ours:.1f}x faster"))
        if cmd == 'lsun_gan_prepare' and sample:   # the whole command: `lsun_gan.cache` loads neither torch nor fastai
            old = _secs([sys.executable, '-c', "import lsun_gan.data"])
            with tempfile.TemporaryDirectory() as d:
                ours = _secs(lambda k: [bin_/cmd, str(sample), f'{d}/{k}', '--limit', '50'], check=True)
            rows.append(("`lsun_gan_prepare` of 50 images, whole command: seconds (peer: importing `lsun_gan.data`, "
                         "torch and fastai, as the command did before it moved to `lsun_gan.cache`)", f"{ours:.2f}",
                         f"{old:.2f}", f"{old/ours:.1f}x faster"))
    return rows

if __name__ == '__main__':
    rows = run()
    print(f"Machine: {machine()}\n")
    print(table(rows))
