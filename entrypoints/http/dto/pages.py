"""The page of each list: the one Page[T] shape, named in the OpenAPI document.

Without a name Litestar would call the component after the item type's module path
("Page_entrypoints.http.dto.patients.PatientOut_"), which client generators turn into class names.
"""

from __future__ import annotations

from typing import Annotated

from litestar.params import KwargDefinition

from entrypoints.http.dto.clinical import AlertOut
from entrypoints.http.dto.devices import DeviceOut
from entrypoints.http.dto.emr_connections import EmrConnectionOut
from entrypoints.http.dto.patients import PatientOut, ReadingOut
from entrypoints.http.dto.records import AuditEntryOut
from entrypoints.http.dto.types import Page

PatientsPage = Annotated[Page[PatientOut], KwargDefinition(schema_component_key="PatientsPage")]
ReadingsPage = Annotated[Page[ReadingOut], KwargDefinition(schema_component_key="ReadingsPage")]
DevicesPage = Annotated[Page[DeviceOut], KwargDefinition(schema_component_key="DevicesPage")]
AlertsPage = Annotated[Page[AlertOut], KwargDefinition(schema_component_key="AlertsPage")]
AuditPage = Annotated[Page[AuditEntryOut], KwargDefinition(schema_component_key="AuditPage")]
EmrConnectionsPage = Annotated[Page[EmrConnectionOut], KwargDefinition(schema_component_key="EmrConnectionsPage")]
