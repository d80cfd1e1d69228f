"""Realistic MioConnect deliveries for the device simulator and the demo (invented values)."""

from __future__ import annotations

import random
from typing import Any

KINDS = ("bpm_gen2_measure", "scale_gen2_measure", "bgm_gen2_measure", "pulse_oximeter_measure")
MODELS = {"bpm_gen2_measure": "TMB-2092-G", "scale_gen2_measure": "TMB-2091-G",
          "bgm_gen2_measure": "TMB-2093-G", "pulse_oximeter_measure": "TMB-2094-G"}


def device_imei(n: int) -> str:
    return f"86001304{n:07d}"


def measurement(kind: str, rng: random.Random, invalid: bool) -> dict[str, Any]:
    """Realistic values; `invalid` yields what a real device sometimes sends (sentinels, control tests)."""
    if kind == "bpm_gen2_measure":
        sys_ = rng.randint(70, 75) if invalid else rng.randint(105, 190)
        return {"sys": sys_, "dia": 90 if invalid else rng.randint(60, min(sys_ - 20, 125)),
                "pul": rng.randint(55, 110), "ihb": rng.random() < 0.05, "hand": False, "tri": False}
    if kind == "scale_gen2_measure":
        return {"wt": 5000 if invalid else rng.randint(50_000, 130_000)}
    if kind == "bgm_gen2_measure":
        return {"data": rng.randint(70, 260), "unit": 2, "sample_type": 2 if invalid else 1,
                "meal": rng.choice((0, 1, 2))}
    return {"spo2": 127 if invalid else rng.randint(86, 100), "pr": 255 if invalid else rng.randint(55, 115),
            "pi": round(rng.uniform(0.5, 9.0), 1)}


def delivery(n: int, kind: str, rng: random.Random, invalid: bool, now: int) -> dict[str, Any]:
    imei = device_imei(n)
    data = {"data_type": kind, "imei": imei, "iccid": f"890117032781{n:08d}", "sn": f"SIM{n:09d}",
            "uid": "1", "ts": now - rng.randint(0, 3600), "tz": "UTC-5", "bat": rng.randint(20, 100),
            "sig": rng.randint(5, 30), **measurement(kind, rng, invalid)}
    return {"deviceId": imei, "createdAt": now, "isTest": False, "modelNumber": MODELS[kind], "data": data}
