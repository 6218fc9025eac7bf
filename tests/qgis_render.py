"""Open a siting output folder in headless QGIS and report what it shows, as JSON on stdout.

Run by tests/test_styles.py with Debian's /usr/bin/python3 (python3-qgis binds the system Python, not the
project's venv) and QT_QPA_PLATFORM=offscreen:

    python3 tests/qgis_render.py OUTPUT_FOLDER PNG

For each GeoPackage, the layer as QGIS opens it (its default style from ``layer_styles``): renderer type,
class expression, categories, field aliases, labels, the styles stored; for ``map.qgz``: its layers top to
bottom with their renderers and visibility, and renderings written to PNG: the project's view, and each
GeoPackage alone (``<PNG stem>_<layer>.png``).
"""

from __future__ import annotations

import json
import sqlite3
import sys
from contextlib import closing
from pathlib import Path

from qgis.core import (
    QgsApplication,
    QgsExpression,
    QgsExpressionContext,
    QgsExpressionContextUtils,
    QgsMapRendererParallelJob,
    QgsMapSettings,
    QgsProject,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor


def describe(layer: QgsVectorLayer) -> dict:
    renderer = layer.renderer()
    out = {
        "valid": layer.isValid(),
        "features": layer.featureCount(),
        "renderer": renderer.type(),
        "labels": layer.labelsEnabled(),
        "aliases": {f.name(): f.alias() for f in layer.fields() if f.alias()},
    }
    if renderer.type() == "categorizedSymbol":
        out["expression"] = renderer.classAttribute()
        out["categories"] = [
            {
                "value": c.value(),
                "label": c.label(),
                "render": c.renderState(),
                "color": c.symbol().color().name(),
                "alpha": round(c.symbol().color().alphaF(), 2),
            }
            for c in renderer.categories()
        ]
        # the class QGIS gives each feature, by the feature's own values (compared with siting.maps)
        expression = QgsExpression(renderer.classAttribute())
        ctx = QgsExpressionContext(QgsExpressionContextUtils.globalProjectLayerScopes(layer))
        classes = {}
        for feature in layer.getFeatures():
            ctx.setFeature(feature)
            key = feature["area_id"] if "area_id" in feature.fields().names() else feature.id()
            value = expression.evaluate(ctx)
            classes[str(key)] = None if value is None else str(value)
        out["classes"] = classes
    if layer.labelsEnabled():
        settings = layer.labeling().settings()
        out["label_field"] = settings.fieldName
        out["label_max_scale_denominator"] = settings.minimumScale
    return out


def main(folder: Path, png: Path) -> None:
    app = QgsApplication([], False)
    app.initQgis()
    report: dict = {"layers": {}, "project": {}}
    opened = {}
    for path in sorted(folder.glob("*.gpkg")):
        layer = opened[path.stem] = QgsVectorLayer(f"{path}|layername={path.stem}", path.stem, "ogr")
        info = describe(layer)
        _count, _ids, names, _descriptions, _error = layer.listStylesInDatabase()
        info["stored_styles"] = names
        info["sld"] = read_sld(path, png.with_name(f"{png.stem}_{path.stem}.sld"))
        report["layers"][path.stem] = info

    project = QgsProject.instance()
    report["project"]["read"] = project.read(str(folder / "map.qgz"))
    root = project.layerTreeRoot()
    tree = []
    for node in root.findLayers():
        layer = node.layer()
        tree.append(
            {
                "name": node.name(),
                "source": layer.source() if layer else None,
                "valid": bool(layer and layer.isValid()),
                "visible": node.isVisible(),
                "renderer": layer.renderer().type() if layer else None,
                "categories": len(layer.renderer().categories())
                if layer and layer.renderer().type() == "categorizedSymbol"
                else 0,
            }
        )
    report["project"]["layers"] = tree
    report["project"]["crs"] = project.crs().authid()
    report["project"]["relative_paths"] = not project.readBoolEntry("Paths", "/Absolute", True)[0]

    areas = next(n.layer() for n in root.findLayers() if "areas.gpkg" in n.layer().source())
    visible = [n.layer() for n in root.findLayers() if n.isVisible() and n.layer()]
    report["png"] = render(visible, areas, project.crs(), png)
    # each GeoPackage alone, as it opens (its default style), on white, framed on the areas
    for stem, alone in opened.items():
        target = png.with_name(f"{png.stem}_{stem}.png")
        report["layers"][stem]["png"] = render([alone], areas, project.crs(), target)
    print(json.dumps(report, ensure_ascii=False))
    # layers go before QGIS does: one freed after exitQgis() crashes the interpreter on its way out
    del alone, areas, visible, layer, opened
    project.clear()
    app.exitQgis()


def read_sld(path: Path, sld: Path) -> dict:
    """The default style's SLD as QGIS reads it into a fresh layer: whether it loaded, and its rules."""
    with closing(sqlite3.connect(path)) as db:
        (text,) = db.execute("SELECT styleSLD FROM layer_styles WHERE useAsDefault").fetchone()
    sld.write_text(text, encoding="utf-8")
    layer = QgsVectorLayer(f"{path}|layername={path.stem}", "sld", "ogr")
    message, ok = layer.loadSldStyle(str(sld))
    renderer = layer.renderer()
    rules = renderer.rootRule().children() if ok else []
    # features each rule draws, by its OGC filter as QGIS translated it (an ElseFilter: all the others)
    counts = dict.fromkeys((r.label() for r in rules), 0)
    ctx = QgsExpressionContext(QgsExpressionContextUtils.globalProjectLayerScopes(layer))
    for feature in layer.getFeatures():
        ctx.setFeature(feature)
        taken = [r for r in rules if not r.isElse() and QgsExpression(r.filterExpression()).evaluate(ctx)]
        for rule in taken or [r for r in rules if r.isElse()]:
            counts[rule.label()] += 1
    return {"ok": ok, "message": message, "renderer": renderer.type(), "rules": counts}


def render(layers: list, around: QgsVectorLayer, crs, png: Path) -> dict:
    """Draw ``layers`` on white, zoomed to ``around``, into ``png``."""
    settings = QgsMapSettings()
    settings.setLayers(layers)
    settings.setDestinationCrs(crs)
    extent = settings.layerExtentToOutputExtent(around, around.extent())
    extent.scale(1.05)
    settings.setExtent(extent)
    settings.setOutputSize(QSize(1000, 800))
    settings.setBackgroundColor(QColor(255, 255, 255))
    job = QgsMapRendererParallelJob(settings)
    job.start()
    job.waitForFinished()
    image = job.renderedImage()
    image.save(str(png))
    return {"path": str(png), "width": image.width(), "height": image.height(), "scale": settings.scale()}


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
