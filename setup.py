"""Packaging beyond what pyproject.toml can say: the project's top-level resources/ folder (icons, the
default texts of contracts and notices) ships inside the package as gasdesk/resources, where
gasdesk.assets finds it once installed (in a checkout it finds it beside the package)."""

from setuptools import find_namespace_packages, setup

setup(
    packages=[*find_namespace_packages(include=["gasdesk", "gasdesk.*"]), "gasdesk.resources"],
    package_dir={"gasdesk.resources": "resources"},
    package_data={
        "gasdesk": ["migrations/*.py", "migrations/versions/*.py", "migrations/*.mako"],
        "gasdesk.resources": ["icons/*.svg", "icons/nav/*.svg", "texts/*.txt"],
    },
)
