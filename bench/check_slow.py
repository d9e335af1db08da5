"""Re-run the `#| slow` cells of the notebooks (they produce the results the README quotes) and compare their fresh
text outputs with the committed ones, number by number. Run on purpose (it takes as long as those cells):

    python bench/check_slow.py [nbs/10_experiment.ipynb ...] [--rtol 0.05]

The slow cells train into `$LSUN_GAN_RUNS` (default `../runs`, where they read earlier runs back); this script points
it at a fresh temporary folder, so every run is trained again, never read back. Every number printed by a slow cell
is compared, in cells that print as many numbers as the committed output (a training log whose length depends
on the machine is reported as not compared, and at least one cell must be); runs cut by wall-clock budgets are not bit-reproducible (how far a run gets in 75 s depends on the
machine and its load), so the tolerance is relative (default 5%) and the differences are printed side by side.
Exits 1 when any number differs by more, or a cell fails."""
import argparse, copy, json, os, re, sys, tempfile
from pathlib import Path
from execnb.nbio import read_nb
from execnb.shell import CaptureShell

NUM = re.compile(r'-?\d+\.?\d*(?:e[-+]?\d+)?')

def text(outputs) -> str:
    "The text a cell printed or returned"
    return ''.join(''.join(o.get('text', '')) if o['output_type'] == 'stream' else ''.join(o.get('data', {}).get('text/plain', ''))
                   for o in outputs if o['output_type'] in ('stream', 'execute_result'))

def compare(old:str, new:str, rtol:float) -> list|None:
    "Numbers of `old` and `new` that differ by more than `rtol` (relative), as (old, new) pairs; None if not comparable"
    a, b = [float(x) for x in NUM.findall(old)], [float(x) for x in NUM.findall(new)]
    if len(a) != len(b): return None
    return [(x, y) for x, y in zip(a, b) if abs(x - y) > rtol*max(abs(x), abs(y), 1e-12)]

def check(path:Path, rtol:float) -> bool:
    nb = read_nb(path)
    old = {i: text(c.get('outputs', [])) for i, c in enumerate(nb.cells) if c.cell_type == 'code'}
    slow = [i for i, c in enumerate(nb.cells) if c.cell_type == 'code' and '#| slow' in c.source]
    if not slow: return True
    fresh = copy.deepcopy(nb)
    os.environ['LSUN_GAN_RUNS'] = tempfile.mkdtemp(prefix='lsun_gan_check_slow_')
    shell = CaptureShell(path.parent)
    shell.run_all(fresh, exc_stop=True)
    ok, compared = True, 0
    for i in slow:
        new = text(fresh.cells[i].get('outputs', []))
        diffs = compare(old[i], new, rtol)
        if diffs is None:   # e.g. a training log: a time budget ends runs after different numbers of epochs
            print(f"{path.name} cell {i}: not compared ({len(NUM.findall(old[i]))} numbers committed, "
                  f"{len(NUM.findall(new))} fresh: a log of a different length)")
            continue
        compared += 1
        print(f"{path.name} cell {i}: " + ('same' if not diffs else f"{len(diffs)} numbers differ by more than "
                                                                  f"{rtol:.0%} (committed, fresh): {diffs[:12]}"))
        ok &= not diffs
    if not compared: print(f"{path.name}: no slow cell could be compared"); return False
    return ok

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('nbs', nargs='*', default=sorted(Path('nbs').glob('*.ipynb')), type=Path)
    p.add_argument('--rtol', type=float, default=0.05)
    args = p.parse_args()
    sys.exit(0 if all([check(nb, args.rtol) for nb in args.nbs]) else 1)
