"README.md is generated from nbs/index.ipynb and must stay in step with it."
from conftest import ROOT
from lsun_gan.docs import nb_markdown

def test_readme_in_step_with_index():
    assert (ROOT/'README.md').read_text() == nb_markdown(ROOT/'nbs'/'index.ipynb'), \
        "README.md is out of date: run `lsun_gan_docs` and commit README.md"

def test_quarto_config_linked():
    q = ROOT/'nbs'/'_quarto.yml'
    assert q.is_symlink() and q.resolve() == (ROOT/'_quarto.yml').resolve()
    listed = [l.strip(' -[],') for l in (ROOT/'_quarto.yml').read_text().split() if l.strip(' -[],').endswith('.ipynb')]
    for nb in listed: assert (ROOT/'nbs'/nb).exists(), f"_quarto.yml lists {nb}, which does not exist"
