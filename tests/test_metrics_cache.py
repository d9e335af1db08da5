"The real statistics cache is keyed by content: same names and byte sizes, other pixels, other statistics."
import numpy as np, torch
from PIL import Image
from lsun_gan.metrics import real_stats, PixelFeatures, evaluate, data_key

def make(folder, seed):
    folder.mkdir()
    g = torch.Generator().manual_seed(seed)
    for i in range(10):   # uncompressed BMPs: the byte size depends only on the image size
        Image.fromarray(torch.randint(0, 256, (16, 16, 3), generator=g, dtype=torch.uint8).numpy()).save(folder/f'{i}.bmp')

def test_same_names_and_sizes_other_pixels_is_a_miss(tmp_path):
    make(tmp_path/'a', 0); make(tmp_path/'b', 1); make(tmp_path/'gen', 2)
    assert [f.stat().st_size for f in sorted((tmp_path/'a').iterdir())] == [f.stat().st_size for f in sorted((tmp_path/'b').iterdir())]
    assert data_key(tmp_path/'a') != data_key(tmp_path/'b')
    cached = [evaluate(tmp_path/s, tmp_path/'gen', 'fid', extractor=PixelFeatures(), cache_dir=tmp_path/'stats',
                       progress=False)['fd_pixels']['value'] for s in 'ab']
    fresh = [evaluate(tmp_path/s, tmp_path/'gen', 'fid', extractor=PixelFeatures(), cache_dir=False,
                      progress=False)['fd_pixels']['value'] for s in 'ab']
    assert cached == fresh and cached[0] != cached[1]
    assert len(list((tmp_path/'stats').glob('*.npz'))) == 2

def test_cache_dir_false_neither_reads_nor_writes(tmp_path, monkeypatch):
    make(tmp_path/'a', 0)
    monkeypatch.setenv('HOME', str(tmp_path/'home'))
    real_stats(tmp_path/'a', PixelFeatures(), cache_dir=False, progress=False)
    assert not (tmp_path/'home').exists()
    real_stats(tmp_path/'a', PixelFeatures(), progress=False)   # the default: ~/.cache/lsun_gan/stats
    assert len(list((tmp_path/'home'/'.cache'/'lsun_gan'/'stats').glob('*.npz'))) == 1
