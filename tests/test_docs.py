"README.md is generated from nbs/index.ipynb and must stay in step with it."
from conftest import ROOT
from lsun_gan.docs import nb_markdown

def test_readme_in_step_with_index(tmp_path):
    "README.md and the images it shows (readme_files/) are what `lsun_gan_docs` makes from index.ipynb now"
    assert (ROOT/'README.md').read_text() == nb_markdown(ROOT/'nbs'/'index.ipynb', tmp_path/'readme_files'), \
        "README.md is out of date: run `lsun_gan_docs` and commit README.md"
    made = sorted(p.name for p in (tmp_path/'readme_files').iterdir())
    assert made and made == sorted(p.name for p in (ROOT/'readme_files').iterdir())
    for n in made: assert (tmp_path/'readme_files'/n).read_bytes() == (ROOT/'readme_files'/n).read_bytes(), n

def test_quarto_config_linked():
    q = ROOT/'nbs'/'_quarto.yml'
    assert q.is_symlink() and q.resolve() == (ROOT/'_quarto.yml').resolve()
    listed = [l.strip(' -[],') for l in (ROOT/'_quarto.yml').read_text().split() if l.strip(' -[],').endswith('.ipynb')]
    for nb in listed: assert (ROOT/'nbs'/nb).exists(), f"_quarto.yml lists {nb}, which does not exist"
    missing = sorted({p.name for p in (ROOT/'nbs').glob('*.ipynb') if not p.name.startswith('_')} - set(listed))
    assert not missing, f"notebooks missing from _quarto.yml's sidebar: {missing}"

def test_every_notebook_renders_and_docs_targets_exist(tmp_path):
    "The offline preview renders every notebook, and every symbol nbdev's index documents exists"
    import importlib
    from lsun_gan.docs import preview_docs
    from lsun_gan._modidx import d
    nbs = sorted((ROOT/'nbs').glob('*.ipynb'))
    pages = preview_docs(ROOT/'nbs', tmp_path)
    assert [p.stem for p in pages] == [nb.stem for nb in nbs] and all(p.stat().st_size > 1000 for p in pages)
    def resolve(name):
        parts = name.split('.')
        obj = importlib.import_module('.'.join(parts[:2]))
        for a in parts[2:]: obj = getattr(obj, a)
        return obj
    names = [n for mod in d['syms'].values() for n in mod]
    assert len(names) > 50
    for n in names: resolve(n)
