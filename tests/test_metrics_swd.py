"SWD as ProGAN computes it: each set draws its own patches, so no zero for a set with itself and no low bias for aligned pairs."
import pytest, torch
import torch.nn.functional as F
from lsun_gan.core import UsageError
from lsun_gan.metrics import swd

def smooth_images(n, seed, size=32):
    g = torch.Generator().manual_seed(seed)
    x = F.interpolate(torch.rand(n, 3, 8, 8, generator=g), size=size, mode='bilinear', align_corners=False)
    return (x*255 + torch.randn(x.shape, generator=g)*8).clamp(0, 255).byte()

def test_swd_identical_sets_score_above_zero():
    a = smooth_images(64, 0)
    r = swd(a, a)
    assert r['swd_avg'] > 0 and r['n'] == 64 and r['scale'] == 1000 and set(r) >= {'swd_32', 'swd_16'}

def test_swd_aligned_pairs_are_not_biased_low():
    "b[i] is a[i] with noise: pairing images by index must not matter (shared patch positions scored it ~3x lower)"
    a = smooth_images(64, 0)
    b = (a.float() + torch.randn(a.shape, generator=torch.Generator().manual_seed(5))*20).clamp(0, 255).byte()
    aligned, shuffled = swd(a, b)['swd_avg'], swd(a, b[torch.randperm(64, generator=torch.Generator().manual_seed(1))])['swd_avg']
    assert abs(aligned - shuffled) < 0.15*shuffled, (aligned, shuffled)

def test_swd_seed_and_refusals():
    a, b = smooth_images(32, 0), smooth_images(32, 1)
    assert swd(a, b, seed=0)['swd_avg'] != swd(a, b, seed=1)['swd_avg']
    with pytest.raises(UsageError, match='32 px vs 16 px'): swd(a, smooth_images(32, 1, size=16))
    with pytest.raises(UsageError, match='same number of images'): swd(a, b[:20])
