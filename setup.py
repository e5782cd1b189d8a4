"""Build hook: ship the top-level datasette-metadata.json inside the ``mediastance`` package.

The file stays at the repository root, where Datasette users and the design notes look
for it; a checkout (or an editable install) reads it there, an installed wheel reads the
copy this hook puts beside the package's modules. Everything else is in pyproject.toml.
"""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

METADATA = "datasette-metadata.json"


class BuildPyWithMetadata(build_py):
    def _metadata_target(self) -> Path:
        return Path(self.build_lib) / "mediastance" / METADATA

    def run(self) -> None:
        super().run()
        if not self.editable_mode:  # an editable install reads the top-level file itself
            self._metadata_target().parent.mkdir(parents=True, exist_ok=True)
            self.copy_file(METADATA, str(self._metadata_target()))

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        outputs = super().get_outputs(include_bytecode)
        return outputs if self.editable_mode else [*outputs, str(self._metadata_target())]


setup(cmdclass={"build_py": BuildPyWithMetadata})
