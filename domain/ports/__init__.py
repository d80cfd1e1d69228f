"""Ports: what the domain needs from the outside world, as typing.Protocols."""

from domain.ports.audit import AuditEntries, AuditLog
from domain.ports.clock import Clock, IdGenerator, RandomSource
from domain.ports.delivery_health import DeliveryHealthRepository
from domain.ports.device_gateway import DeviceGateway, GatewayMessage, GatewayPage
from domain.ports.emr import (
    EmrCapabilities,
    EmrError,
    EmrGateway,
    EmrPatientPage,
    EmrRejected,
    EmrUnavailable,
    ObservationReceipt,
)
from domain.ports.emr_diagnostics import ConnectionTestResult, EmrDiagnostics, TokenTestResult
from domain.ports.emr_directory import EmrConnectionRepository, EmrDirectory
from domain.ports.keys import KeyStore, KeyVersion, SigningKey
from domain.ports.login import LoginFailures
from domain.ports.metrics import Metrics
from domain.ports.notifier import Notifier, PushMessage, PushResult
from domain.ports.repositories import (
    DeliveryRepository,
    DeviceRepository,
    OutboxRepository,
    PatientRepository,
    ReadingRepository,
    UnitOfWork,
)
from domain.ports.repositories_care import (
    AlertRepository,
    CareRecordRepository,
    DashboardReadModel,
    PushTokenRepository,
    ThresholdRepository,
    TokenRevocations,
    UserRepository,
)
from domain.ports.security import PasswordHasher
from domain.ports.tracing import Span, Tracer
from domain.ports.user_launch import LaunchRefused, LinkedAccount, UserLaunch

__all__ = [
    "AlertRepository",
    "AuditEntries",
    "AuditLog",
    "CareRecordRepository",
    "Clock",
    "ConnectionTestResult",
    "DashboardReadModel",
    "DeliveryHealthRepository",
    "DeliveryRepository",
    "DeviceGateway",
    "DeviceRepository",
    "EmrCapabilities",
    "EmrConnectionRepository",
    "EmrDiagnostics",
    "EmrDirectory",
    "EmrError",
    "EmrGateway",
    "EmrPatientPage",
    "EmrRejected",
    "EmrUnavailable",
    "GatewayMessage",
    "GatewayPage",
    "IdGenerator",
    "KeyStore",
    "KeyVersion",
    "LaunchRefused",
    "LinkedAccount",
    "LoginFailures",
    "Metrics",
    "Notifier",
    "ObservationReceipt",
    "OutboxRepository",
    "PasswordHasher",
    "PatientRepository",
    "PushMessage",
    "PushResult",
    "PushTokenRepository",
    "RandomSource",
    "ReadingRepository",
    "SigningKey",
    "Span",
    "ThresholdRepository",
    "TokenRevocations",
    "TokenTestResult",
    "Tracer",
    "UnitOfWork",
    "UserLaunch",
    "UserRepository",
]
