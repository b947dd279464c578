"""Build hook: compile the translation catalogues so no manual step is needed after install."""

from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class CatalogueCompileHook(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version, build_data):
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        for po_path in Path(self.root, "juvenile", "translations").glob("*/LC_MESSAGES/*.po"):
            locale = po_path.parent.parent.name
            with po_path.open("rb") as po_file:
                catalogue = read_po(po_file, locale=locale)
            with po_path.with_suffix(".mo").open("wb") as mo_file:
                write_mo(mo_file, catalogue, use_fuzzy=False)
