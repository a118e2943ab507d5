"""The HTML font subsets: computed once per machine, the same bytes from the cache."""

from __future__ import annotations

from cslib.render import fonts


def test_a_subset_read_from_the_cache_is_the_one_computed(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    regular = fonts.dejavu_sans().regular
    computed = fonts._woff_subset(regular)
    (cached,) = (tmp_path / "cslib").glob("dejavu-*.woff")
    assert cached.read_bytes() == computed == fonts._compute_woff_subset(regular)
    cached.write_bytes(b"stale")  # a file under the key is what is used: the key must change
    assert fonts._woff_subset(regular) == b"stale"


def test_an_unwritable_cache_only_means_computing_again(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))  # a file: no folder can be made in it
    regular = fonts.dejavu_sans().regular
    assert fonts._woff_subset(regular) == fonts._compute_woff_subset(regular)
