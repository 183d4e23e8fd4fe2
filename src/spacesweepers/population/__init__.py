"""Generated debris: NASA standard breakup model (:mod:`.breakup`), drag lifetime
(:mod:`.lifetime`), SGP4 mean elements from states (:mod:`.meanelements`), clouds as catalog
objects and how they spread (:mod:`.clouds`), and the demo population (:mod:`.presets`).
See docs/population.md."""
