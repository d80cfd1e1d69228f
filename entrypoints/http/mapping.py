"""Domain objects → response DTOs (explicit, one function per shape)."""

from __future__ import annotations

from dataclasses import asdict

from domain.delivery_health import ConnectionHealth
from domain.devices import Device, DeviceAssignment
from domain.emr_connections import FROM_SETTINGS, EmrConnection
from domain.patients import Patient
from domain.ports import ConnectionTestResult, TokenTestResult
from domain.readings import Reading
from domain.sync import OutboxItem
from entrypoints.http import dto


def patient_out(patient: Patient) -> dto.PatientOut:
    return dto.PatientOut(
        id=patient.id, name=patient.name, birth_date=patient.birth_date, mrn=patient.mrn,
        emr_patient_id=patient.emr_patient_id, active=patient.active,
    )


def connection_health_out(health: ConnectionHealth) -> dto.EmrConnectionHealthOut:
    return dto.EmrConnectionHealthOut(
        practice_id=health.practice_id, last_success_at=health.last_success_at,
        last_failure_at=health.last_failure_at, last_failure=health.last_failure,
        last_failure_http_status=health.last_failure_http_status, backlog=health.backlog,
    )


def device_out(device: Device) -> dto.DeviceOut:
    return dto.DeviceOut(
        id=device.id, gateway_device_id=device.gateway_device_id, model_number=device.model_number,
        registered_at=device.registered_at, last_seen_at=device.last_seen_at, practice_id=device.practice_id,
    )


def device_detail_out(device: Device, assignments: tuple[DeviceAssignment, ...]) -> dto.DeviceDetailOut:
    return dto.DeviceDetailOut(
        id=device.id, gateway_device_id=device.gateway_device_id, model_number=device.model_number,
        registered_at=device.registered_at, first_seen_at=device.first_seen_at, last_seen_at=device.last_seen_at,
        battery_percent=device.battery_percent, signal_bars=device.signal_bars, firmware=device.firmware,
        practice_id=device.practice_id, assignments=[assignment_out(a) for a in assignments],
    )


def assignment_out(assignment: DeviceAssignment, released: int = 0) -> dto.AssignmentOut:
    return dto.AssignmentOut(
        id=assignment.id, device_id=assignment.device_id, patient_id=assignment.patient_id,
        user_slot=assignment.user_slot, effective_from=assignment.effective_from,
        ended_at=assignment.ended_at, released_readings=released,
    )


def reading_out(reading: Reading) -> dto.ReadingOut:
    return dto.ReadingOut(
        id=reading.id, kind=reading.kind.value, status=reading.status.value,
        measured_at=reading.measured_at,
        values={
            sign.value: dto.QuantityOut(float(q.value), q.unit.value)
            for sign, q in reading.measurement.values.items()
        },
        context=dict(reading.measurement.context), device_id=reading.device_id,
        user_slot=reading.user_slot, recorded_at=reading.recorded_at, reason=reading.reason,
    )


def sync_item_out(item: OutboxItem) -> dto.SyncItemOut:
    return dto.SyncItemOut(
        id=item.id, reading_id=item.reading_id, resource_type=item.resource_type, code=item.code,
        status=item.status.value, http_status=item.http_status, emr_resource_id=item.external_id,
        attempts=item.attempts, last_error=item.last_error, updated_at=item.updated_at,
    )


def jwt_test_out(result: TokenTestResult) -> dto.EmrTokenTestOut:
    return dto.EmrTokenTestOut(**asdict(result))


def connection_test_out(result: ConnectionTestResult) -> dto.EmrConnectionTestOut:
    return dto.EmrConnectionTestOut(**{**asdict(result), "capabilities": list(result.capabilities)})


def emr_connection_out(connection: EmrConnection) -> dto.EmrConnectionOut:
    """Everything but the secret, which the connection never holds (only whether the key store has one)."""
    return dto.EmrConnectionOut(
        id=connection.id, source="settings" if connection.id == FROM_SETTINGS else "stored",
        practice_id=connection.practice_id, vendor=connection.vendor.value, fhir_base_url=connection.fhir_base_url,
        token_url=connection.token_url, client_id=connection.client_id, scopes=connection.scopes,
        practice_code=connection.practice_code, rate_limit_per_minute=connection.rate_limit_per_minute,
        max_in_flight=connection.max_in_flight, tls_pins=list(connection.tls_pins),
        ca_bundle_pem=connection.ca_bundle_pem, active=connection.active,
        has_client_secret=connection.has_client_secret, version=connection.version,
        created_at=connection.created_at, updated_at=connection.updated_at,
    )
