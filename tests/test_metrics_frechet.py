"The Fréchet distance against an exact reference, small real eigenvalues included, and a zero covariance."
import numpy as np
from lsun_gan.metrics import FeatureStats, frechet_distance

def exact_fd(x, y):
    "Via the nuclear norm of X₁X₂ᵀ/(n−1): tr √(Σ₁Σ₂) without any d × d eigendecomposition"
    xc, yc = x - x.mean(0), y - y.mean(0)
    d = x.mean(0) - y.mean(0)
    return (d @ d + (xc**2).sum()/(len(x) - 1) + (yc**2).sum()/(len(y) - 1)
            - 2*np.linalg.svd(xc @ yc.T/(len(x) - 1), compute_uv=False).sum())

def test_frechet_keeps_small_real_eigenvalues():
    "n=1000, 2048-d, 500 features of variance 1 and the rest 1e-13: exact to 1e-8 (dropping small eigenvalues: 1e-7)"
    rng = np.random.default_rng(0)
    scale = np.where(np.arange(2048) < 500, 1., np.sqrt(1e-13))
    x, y = rng.normal(size=(1000, 2048))*scale, rng.normal(size=(1000, 2048))*scale[::-1]
    s1, s2 = FeatureStats(2048).update(x), FeatureStats(2048).update(y)
    exact = exact_fd(x, y)
    assert abs(frechet_distance(s1.mu, s1.sigma, s2.mu, s2.sigma) - exact) <= 1e-8*exact

def test_frechet_of_a_constant_set_is_a_number():
    "Identical images: zero covariance; pytorch-fid returns a number, and so must we (the exact one)"
    rng = np.random.default_rng(1)
    y = rng.normal(size=(300, 64))
    c, s = FeatureStats(64).update(np.ones((20, 64))), FeatureStats(64).update(y)
    np.testing.assert_allclose(frechet_distance(c.mu, c.sigma, s.mu, s.sigma), ((1 - s.mu)**2).sum() + np.trace(s.sigma), rtol=1e-9)
    np.testing.assert_allclose(frechet_distance(c.mu, c.sigma, c.mu, c.sigma), 0., atol=1e-12)
