"""Every operation of some AWS services, called through real botocore clients.

Usage:
  python3 operations.py capture SERVICE...   print the signed request botocore builds for each
                                             operation (nothing is sent), as one JSON document
  python3 operations.py call SERVICE...      call each operation against AWS_ENDPOINT_URL with the
                                             environment's credentials; print each outcome as JSON

The input of each call is the smallest one the service model accepts: the
required members only, filled from their shapes (enums take their first value,
strings are padded to their minimum length).
"""
import base64
import datetime
import json
import os
import sys

import botocore.session
from botocore.config import Config
from botocore.exceptions import ClientError


def stub(shape, depth=0):
    kind = shape.type_name
    if kind == 'structure':
        if depth > 8:
            return {}
        if shape.metadata.get('union'):
            first = next(iter(shape.members))
            return {first: stub(shape.members[first], depth + 1)}
        return {name: stub(shape.members[name], depth + 1) for name in shape.required_members}
    if kind == 'list':
        # At least one item: a required list that is empty would vanish from the wire.
        least = max(shape.metadata.get('min', 0), 1)
        return [stub(shape.member, depth + 1) for _ in range(least)]
    if kind == 'map':
        return {}
    if kind == 'string':
        if shape.enum:
            return shape.enum[0]
        least = max(shape.metadata.get('min', 1), 1)
        return 'x' * least
    if kind in ('integer', 'long'):
        return int(shape.metadata.get('min', 1))
    if kind in ('float', 'double'):
        return float(shape.metadata.get('min', 1))
    if kind == 'boolean':
        return False
    if kind == 'blob':
        return b'x'
    if kind == 'timestamp':
        return datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
    return 'x'


class Captured(Exception):
    pass


def client_for(session, service):
    return session.create_client(
        service,
        region_name=os.environ.get('AWS_REGION', 'us-east-1'),
        config=Config(retries={'max_attempts': 1, 'mode': 'standard'}, s3={'addressing_style': 'path'},
                      connect_timeout=5, read_timeout=30),
    )


def params_for(client, operation):
    model = client.meta.service_model.operation_model(operation)
    return model, (stub(model.input_shape) if model.input_shape is not None else {})


def capture(services):
    session = botocore.session.get_session()
    os.environ.setdefault('AWS_ACCESS_KEY_ID', 'AKIDCAPTURE')
    os.environ.setdefault('AWS_SECRET_ACCESS_KEY', 'capture-secret')
    out = []
    for service in services:
        client = client_for(session, service)
        seen = {}

        def before_send(request, **_):
            body = request.body
            if hasattr(body, 'read'):
                body = body.read()
            if isinstance(body, str):
                body = body.encode('utf-8')
            seen['request'] = {
                'method': request.method,
                'url': request.url,
                'headers': {k: (v.decode() if isinstance(v, bytes) else v) for k, v in request.headers.items()},
                'body': base64.b64encode(body or b'').decode(),
            }
            raise Captured()

        client.meta.events.register('before-send', before_send)
        for operation in client.meta.service_model.operation_names:
            _, params = params_for(client, operation)
            seen.clear()
            error = None
            try:
                client._make_api_call(operation, params)
            except Captured:
                pass
            except Exception as exc:  # noqa: BLE001 - reported, the test decides
                error = f'{type(exc).__name__}: {exc}'
            out.append({'service': service, 'operation': operation, 'request': seen.get('request'), 'error': error})
    json.dump(out, sys.stdout)


def call(services):
    """Each request carries x-test-operation (signed), so the upstream can attribute what reached it."""
    session = botocore.session.get_session()
    out = []
    for service in services:
        client = client_for(session, service)
        current = {}

        def tag(request, **_):
            request.headers['x-test-operation'] = current['name']

        client.meta.events.register_first('before-sign', tag)
        for operation in client.meta.service_model.operation_names:
            current['name'] = f'{service}:{operation}'
            _, params = params_for(client, operation)
            entry = {'service': service, 'operation': operation}
            try:
                result = client._make_api_call(operation, params)
                body = result.get('Body') if isinstance(result, dict) else None
                if body is not None and hasattr(body, 'read'):
                    entry['body'] = base64.b64encode(body.read()).decode()
                entry['ok'] = True
                entry['result'] = json.loads(json.dumps({k: v for k, v in result.items() if k not in ('Body', 'ResponseMetadata', 'Payload', 'EventStream')}, default=str)) if isinstance(result, dict) else None
            except Exception as exc:  # noqa: BLE001
                entry['ok'] = False
                entry['type'] = type(exc).__name__
                entry['clientError'] = isinstance(exc, ClientError)
                response = getattr(exc, 'response', None) or {}
                entry['code'] = response.get('Error', {}).get('Code')
                entry['message'] = response.get('Error', {}).get('Message') or str(exc)
                entry['status'] = response.get('ResponseMetadata', {}).get('HTTPStatusCode')
            out.append(entry)
    json.dump(out, sys.stdout)


if __name__ == '__main__':
    mode, *names = sys.argv[1:]
    {'capture': capture, 'call': call}[mode](names)
