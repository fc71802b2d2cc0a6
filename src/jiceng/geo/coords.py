"""Chinese map coordinate systems to WGS-84 (what a phone's GPS reports).

A district's GIS office hands its boundaries over in one of three systems:
- WGS-84 / CGCS2000 (the national geodetic system; the two differ by centimetres): as they are;
- GCJ-02 (the "Mars" offset every licensed Chinese web map applies: Amap/Gaode, Tencent):
  offset by 100–700 m by a published closed-form forward formula; the inverse has no closed
  form and is found by fixed-point iteration of the forward one to below 1e-9° (about 0.1 mm);
- BD-09 (Baidu Maps): a further closed-form rotation of GCJ-02, undone exactly, then GCJ-02.

Vectorised on numpy arrays, so a thousand polygons convert in milliseconds. No PyPI package
fitted: eviltransform (2018) and coord-convert (2019) are unmaintained single-point functions;
the formulas are short and the tests hold them to the reference points the widely used
coordtransform library publishes.
"""

from __future__ import annotations

import math

import numpy as np
from django.db import models
from django.utils.translation import gettext_lazy as _

_A = 6378245.0  # Krasovsky 1940 semi-major axis, used by the GCJ-02 formula
_EE = 0.00669342162296594323
_X_PI = math.pi * 3000.0 / 180.0


class System(models.TextChoices):
    WGS84 = "wgs84", _("WGS-84 / CGCS2000（GPS、天地图、自然资源部门）")
    GCJ02 = "gcj02", _("GCJ-02（高德、腾讯等国内网络地图）")
    BD09 = "bd09", _("BD-09（百度地图）")


def _in_china(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    return (lon > 72.004) & (lon < 137.8347) & (lat > 0.8293) & (lat < 55.8271)


def _offset(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """GCJ-02 minus WGS-84 at a WGS-84 point, in degrees (zero outside China)."""
    x, y = lon - 105.0, lat - 35.0
    s = np.sqrt(np.abs(x))
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * s
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * s
    common = (20.0 * np.sin(6.0 * x * math.pi) + 20.0 * np.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    dlat += common
    dlon += common
    dlat += (20.0 * np.sin(y * math.pi) + 40.0 * np.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    dlon += (20.0 * np.sin(x * math.pi) + 40.0 * np.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    dlat += (160.0 * np.sin(y / 12.0 * math.pi) + 320.0 * np.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    dlon += (150.0 * np.sin(x / 12.0 * math.pi) + 300.0 * np.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    rad = lat / 180.0 * math.pi
    magic = 1 - _EE * np.sin(rad) ** 2
    root = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * root) * math.pi)
    dlon = (dlon * 180.0) / (_A / root * np.cos(rad) * math.pi)
    inside = _in_china(lon, lat)
    return np.where(inside, dlon, 0.0), np.where(inside, dlat, 0.0)


def wgs84_to_gcj02(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    dlon, dlat = _offset(lon, lat)
    return lon + dlon, lat + dlat


def _invert(forward, lon, lat, start, tolerance: float = 1e-10):
    """The point ``p`` with ``forward(p)`` = (lon, lat), by fixed-point iteration from
    ``start``: p <- p - (forward(p) - target). The offsets change slowly with position, so
    each round gains several digits; three or four rounds reach 1e-10°."""
    glon, glat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    wlon, wlat = start
    for _round in range(30):
        flon, flat = forward(wlon, wlat)
        elon, elat = flon - glon, flat - glat
        wlon, wlat = wlon - elon, wlat - elat
        if max(np.max(np.abs(elon), initial=0.0), np.max(np.abs(elat), initial=0.0)) < tolerance:
            break
    return wlon, wlat


def gcj02_to_wgs84(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """The WGS-84 point whose GCJ-02 image is the given one (the iterative inverse)."""
    glon, glat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    return _invert(wgs84_to_gcj02, glon, glat, (glon.copy(), glat.copy()))


def _bd09_to_gcj02_approx(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """Baidu's published inverse: a few centimetres off, the start of the exact one."""
    x = np.asarray(lon, dtype=float) - 0.0065
    y = np.asarray(lat, dtype=float) - 0.006
    z = np.sqrt(x * x + y * y) - 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * _X_PI)
    return z * np.cos(theta), z * np.sin(theta)


def bd09_to_gcj02(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """The GCJ-02 point whose BD-09 image is the given one (the published inverse, refined)."""
    return _invert(gcj02_to_bd09, lon, lat, _bd09_to_gcj02_approx(lon, lat))


def gcj02_to_bd09(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    x, y = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    z = np.sqrt(x * x + y * y) + 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) + 0.000003 * np.cos(x * _X_PI)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def to_wgs84(system: str, lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """Points declared in ``system`` as WGS-84 longitudes and latitudes."""
    if system == System.GCJ02:
        return gcj02_to_wgs84(lon, lat)
    if system == System.BD09:
        return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))
    return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)


def from_wgs84(system: str, lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """WGS-84 points as ``system`` has them (tests make GCJ-02 and BD-09 files with it)."""
    if system == System.GCJ02:
        return wgs84_to_gcj02(lon, lat)
    if system == System.BD09:
        return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))
    return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
