"KID: the seed draws the subsets; whole sets are one subset with no spread (not a ± 0)."
import numpy as np
from lsun_gan.metrics import kid

def test_kid_seed_draws_subsets_and_whole_sets_are_one_subset():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(120, 16)), rng.normal(size=(120, 16)) + 0.1
    a, b = kid(x, y, n_subsets=5, subset_size=50, seed=0), kid(x, y, n_subsets=5, subset_size=50, seed=1)
    assert a[0] != b[0] and a[1] > 0
    assert kid(x, y, seed=0) == kid(x, y, seed=1) and kid(x, y)[1] is None
