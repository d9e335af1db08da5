"""`prepare` against plain PIL on the same images with the same number of processes, in a process that loads neither
torch nor fastai (as `lsun_gan_prepare` runs). Prints JSON: median seconds of each over `reps` interleaved runs.

Plain PIL is what a user writes by hand: open, convert to RGB, resize the short side (bicubic), centre crop, in a
`multiprocessing.Pool`. Both read from the page cache, not the disk (every file is read once before timing)."""
import json, statistics, sys, tempfile, shutil, time
from multiprocessing import Pool
from pathlib import Path
import numpy as np
from PIL import Image
from lsun_gan.cache import prepare, scan_images

def plain_pil(fn, size=64):
    im = Image.open(fn).convert('RGB')
    w, h = im.size; s = min(w, h)
    im = im.resize((round(w*size/s), round(h*size/s)), Image.Resampling.BICUBIC)
    l, t = (im.width - size)//2, (im.height - size)//2
    return np.asarray(im.crop((l, t, l + size, t + size)))

def run(src, workers, size=64, reps=3) -> dict:
    src, tmp = Path(src), Path(tempfile.mkdtemp())
    files = [src/name for name in sorted(scan_images(src)[0])]
    for f in files: f.read_bytes()
    pil, ours = [], []
    try:
        for k in range(reps):
            t = time.perf_counter()
            with Pool(workers) as p: p.map(plain_pil, files, chunksize=64)
            pil.append(time.perf_counter() - t)
            t = time.perf_counter(); prepare(src, tmp/str(k), size=size, n_workers=workers, verbose=False)
            ours.append(time.perf_counter() - t)
    finally: shutil.rmtree(tmp)
    return dict(n=len(files), workers=workers, size=size, pil=statistics.median(pil), ours=statistics.median(ours))

if __name__ == '__main__': print(json.dumps(run(sys.argv[1], int(sys.argv[2]))))
