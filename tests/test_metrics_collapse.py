"The collapse detector fires on k modes plus noise (partial collapse included) and stays quiet on diverse sets."
import pytest, torch
import torch.nn.functional as F
from lsun_gan.metrics import collapse_report, image_batches

def smooth_images(n, seed, size=64):
    "A diverse stand-in for real images: random low-frequency colour fields, a little texture"
    g = torch.Generator().manual_seed(seed)
    x = F.interpolate(torch.rand(n, 3, 6, 6, generator=g), size=size, mode='bicubic', align_corners=False)
    return (x*255 + torch.randn(x.shape, generator=g)*6).clamp(0, 255).byte()

def mixture(base, k, sigma, n=256, seed=0):
    "`n` images drawn from the first `k` of `base`, plus Gaussian noise of `sigma`/255"
    m = base[:k][torch.arange(n) % k].float()
    return (m + sigma*torch.randn(m.shape, generator=torch.Generator().manual_seed(seed))).round().clamp(0, 255).byte()

def check_detector(real, others, modes_from):
    for other in others: assert not collapse_report(other, real)['collapsed'], collapse_report(other, real)['message']
    for k in (1, 2, 4, 8):
        for sigma in (0, 8, 12, 16, 24):
            rep = collapse_report(mixture(modes_from, k, sigma), real)
            assert rep['collapsed'] and rep['modes'] == k, (k, sigma, rep['message'])

def test_collapse_detector_on_synthetic_images():
    check_detector(smooth_images(256, 0), [smooth_images(256, s) for s in (1, 2)], smooth_images(8, 3))

def test_collapse_detector_on_real_bedrooms(sample, tmp_path):
    "Real LSUN bedrooms against other real ones are quiet; mixtures of a few real bedrooms are loud"
    from lsun_gan.cache import prepare
    prepare(sample, tmp_path/'c', size=64, limit=1024, n_workers=0, verbose=False)
    real = next(image_batches(tmp_path/'c', 1024, 1024))
    check_detector(real[:256], [real[256:512], real[512:768]], real[768:])
    rep = collapse_report(mixture(real[768:], 4, 12), real[:256])   # the case: old detector said 'No mode collapse'
    assert 'Mode collapse' in rep['message'] and '4 distinct images' in rep['message']

def test_quiet_on_fresh_generators(sample, tmp_path):
    "An untrained generator's nearly flat images are no collapse (the alarm used to fire on every fresh DCGAN)"
    import torch
    from lsun_gan.cache import prepare
    from lsun_gan.data import to_uint8
    from lsun_gan.models import DCGANGenerator, wgan_generator
    from lsun_gan.learner import generate
    real = next(image_batches(prepare(sample, tmp_path/'c', size=32, limit=256, verbose=False).path, 256, 256))
    torch.manual_seed(0)
    for G in (DCGANGenerator(32), wgan_generator(32)):
        rep = collapse_report(to_uint8(generate(G, torch.randn(256, 100))), real)
        assert not rep['collapsed'], rep['message']
