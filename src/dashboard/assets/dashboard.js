/*
 * The dashboard's browser script, served as `assets/dashboard.js`. Plain ES2020 in a classic script, so no
 * bundler is needed. Rules it keeps: every value from the snapshot reaches the DOM through `textContent` or a
 * chart's canvas, never `innerHTML`; class names come from fixed tables, never from data.
 */
'use strict';
(function () {
  var body = document.body;
  var refreshMs = Math.max(250, Number(body.dataset.refreshMs) || 5000);
  var token = new URLSearchParams(window.location.search).get('token');
  var headers = token ? { Authorization: 'Bearer ' + token } : {};
  var SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFO'];
  var STATUS_CLASS = {
    COMPLIANT: 'ok',
    NON_COMPLIANT: 'bad',
    INCONCLUSIVE: 'warn',
    NO_EVIDENCE: 'off',
    PARTIALLY_COMPLIANT: 'warn',
    AT_RISK: 'warn',
  };
  var INDICATOR_CLASS = {
    active: 'ok',
    enabled: 'ok',
    healthy: 'ok',
    ok: 'ok',
    inactive: 'off',
    disabled: 'off',
    degraded: 'warn',
    warning: 'warn',
    error: 'bad',
    failed: 'bad',
    failing: 'bad',
  };
  var BREAKER_ORDER = { OPEN: 0, HALF_OPEN: 1, CLOSED: 2 };
  var charts = {};

  function $(id) {
    return document.getElementById(id);
  }
  function num(v) {
    return typeof v === 'number' && isFinite(v) ? v : 0;
  }
  function text(v) {
    return v === undefined || v === null ? '' : String(v);
  }
  function setText(id, value) {
    $(id).textContent = value;
  }
  function el(tag, value, className) {
    var node = document.createElement(tag);
    if (value !== undefined) node.textContent = text(value);
    if (className) node.className = className;
    return node;
  }
  function when(iso) {
    var d = new Date(iso);
    return isNaN(d.getTime()) ? text(iso) : d.toLocaleString();
  }
  function shortTime(iso) {
    var d = new Date(iso);
    return isNaN(d.getTime()) ? text(iso) : d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  }
  function fillTable(id, rows, columns, emptyText) {
    var tbody = $(id).tBodies[0];
    var fresh = document.createElement('tbody');
    if (rows.length === 0) {
      var cell = el('td', emptyText, 'empty');
      cell.colSpan = columns;
      fresh.appendChild(document.createElement('tr')).appendChild(cell);
    }
    rows.forEach(function (cells) {
      var tr = document.createElement('tr');
      cells.forEach(function (c) {
        tr.appendChild(typeof c === 'object' && c !== null ? c : el('td', c));
      });
      fresh.appendChild(tr);
    });
    tbody.replaceWith(fresh);
  }
  // The score's colour follows the gate: green only at or above minComplianceScore, and never next to a verdict
  // that is not COMPLIANT.
  function complianceClass(d) {
    if (d.overallStatus === 'NO_EVIDENCE') return 'big off';
    var min = typeof d.minComplianceScore === 'number' ? d.minComplianceScore : 95;
    var score = num(d.complianceScore);
    if (score < min) return 'big bad';
    return 'big ' + (d.overallStatus === 'COMPLIANT' ? 'ok' : 'warn');
  }
  function riskClass(d) {
    if (d.overallStatus === 'NO_EVIDENCE') return 'big off';
    var risk = num(d.riskScore);
    return 'big ' + (risk >= 60 ? 'bad' : risk >= 25 || d.overallStatus !== 'COMPLIANT' ? 'warn' : 'ok');
  }

  function renderHeader(s) {
    var d = s.dashboard;
    var badge = $('overall-status');
    var none = d.overallStatus === 'NO_EVIDENCE';
    badge.textContent = none ? 'NO EVIDENCE YET' : text(d.overallStatus);
    badge.className = 'badge ' + (STATUS_CLASS[d.overallStatus] || 'warn');
    setText('standard', 'standard: ' + text(s.standard));
    setText('updated', 'snapshot ' + when(s.generatedAt));
    var score = $('compliance-score');
    score.textContent = none ? 'no evidence yet' : num(d.complianceScore).toFixed(1) + '%';
    score.className = complianceClass(d);
    setText(
      'gate',
      none
        ? 'Nothing has been recorded or assessed yet.'
        : 'gate: ' + num(typeof d.minComplianceScore === 'number' ? d.minComplianceScore : 95).toFixed(0) + '%',
    );
    var risk = $('risk-score');
    risk.textContent = none ? '–' : num(d.riskScore).toFixed(1) + '/100';
    risk.className = riskClass(d);
    setText('total-operations', String(num(d.metrics.totalOperations)));
    setText(
      'rates',
      'success ' + num(d.metrics.successRate).toFixed(1) + '% · errors ' + num(d.metrics.errorRate).toFixed(1) + '%',
    );
    setText('blocked-operations', String(num(d.metrics.blockedOperations)));
    var box = $('status-indicators');
    var pills = [
      ['Security validation', d.statusIndicators.securityValidation],
      ['Production monitoring', d.statusIndicators.productionMonitoring],
      ['CloudTrail integration', d.statusIndicators.cloudtrailIntegration],
    ];
    box.replaceChildren.apply(
      box,
      pills.map(function (p) {
        return el('span', p[0] + ': ' + text(p[1]), 'pill ' + (INDICATOR_CLASS[String(p[1]).toLowerCase()] || 'warn'));
      }),
    );
  }

  function chart(id, config) {
    if (typeof window.Chart !== 'function') return undefined;
    if (!charts[id]) charts[id] = new window.Chart($(id), config);
    return charts[id];
  }
  function renderCharts(s) {
    var timeline = chart('timeline-chart', {
      type: 'line',
      data: {
        labels: [],
        datasets: [
          { label: 'allowed', data: [], borderColor: '#1f8a4c', backgroundColor: '#1f8a4c' },
          { label: 'blocked', data: [], borderColor: '#c53030', backgroundColor: '#c53030' },
          { label: 'failed', data: [], borderColor: '#b7791f', backgroundColor: '#b7791f' },
        ],
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
      },
    });
    if (timeline) {
      timeline.data.labels = s.timeline.map(function (b) {
        return shortTime(b.start);
      });
      timeline.data.datasets[0].data = s.timeline.map(function (b) {
        return num(b.allowed);
      });
      timeline.data.datasets[1].data = s.timeline.map(function (b) {
        return num(b.blocked);
      });
      timeline.data.datasets[2].data = s.timeline.map(function (b) {
        return num(b.failed);
      });
      timeline.update('none');
    }
    var errors = chart('errors-chart', {
      type: 'bar',
      data: {
        labels: SEVERITIES,
        datasets: [
          { label: 'errors', data: [], backgroundColor: ['#742a2a', '#c53030', '#b7791f', '#2b6cb0', '#718096'] },
        ],
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        plugins: { legend: { display: false } },
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
      },
    });
    if (errors) {
      errors.data.datasets[0].data = SEVERITIES.map(function (sev) {
        return num(s.errorsBySeverity[sev]);
      });
      errors.update('none');
    }
  }

  function renderResources(s) {
    var box = $('resources');
    var latest = s.resources.latest;
    var t = s.resources.thresholds;
    if (!latest) {
      var off = s.dashboard.statusIndicators.productionMonitoring === 'disabled';
      box.replaceChildren(
        el('p', off ? 'Production monitoring is off: no resource samples.' : 'No resource sample yet.', 'muted'),
      );
      return;
    }
    var rows = [
      ['CPU', latest.cpuPercent, t.cpuPercent],
      ['Memory', latest.memoryPercent, t.memoryPercent],
      ['Disk', latest.diskPercent, t.diskPercent],
    ];
    box.replaceChildren.apply(
      box,
      rows.map(function (r) {
        var value = num(r[1]);
        var limit = num(r[2]);
        var row = el('div', undefined, 'resource' + (value >= limit ? ' over' : ''));
        var meter = document.createElement('meter');
        meter.min = 0;
        meter.max = 100;
        meter.value = value;
        meter.high = limit;
        meter.optimum = 0;
        row.append(
          el('span', r[0]),
          meter,
          el('span', value.toFixed(1) + '% (threshold ' + limit.toFixed(0) + '%)', 'value'),
        );
        return row;
      }),
    );
  }

  function renderTables(s) {
    var audit = s.audit;
    var verified =
      audit.verified === undefined
        ? 'not verified yet'
        : audit.verified
          ? 'verified intact (' + num(audit.checked) + ' checked)'
          : 'VERIFICATION FAILED' + (audit.problem ? ': ' + text(audit.problem) : '');
    var auditBox = $('audit');
    auditBox.textContent =
      num(audit.length) +
      ' entries in the hash chain · ' +
      verified +
      (audit.head ? ' · head ' + text(audit.head).slice(0, 16) + '…' : '');
    auditBox.className = audit.verified === false ? 'badge bad' : '';
    var breakers = s.breakers.slice().sort(function (a, b) {
      return (BREAKER_ORDER[a.state] || 0) - (BREAKER_ORDER[b.state] || 0);
    });
    fillTable(
      'breakers-table',
      breakers.map(function (b) {
        return [
          b.service,
          b.operation,
          el('td', b.state, 'state-' + (BREAKER_ORDER[b.state] === undefined ? 'OPEN' : b.state)),
          b.failures === undefined ? '' : String(b.failures),
        ];
      }),
      4,
      'No circuit breakers yet.',
    );
    fillTable(
      'blocked-table',
      s.recentBlocked.map(function (b) {
        return [when(b.time), b.service, b.iamAction || b.operation, b.riskLevel, b.message];
      }),
      5,
      'Nothing blocked.',
    );
    var ct = s.cloudtrail;
    setText(
      'cloudtrail-summary',
      num(ct.eventsRead) +
        ' events read · ' +
        num(ct.writesFound) +
        ' writes found · ' +
        num(ct.writesByAutomation) +
        ' by the automation principal',
    );
    fillTable(
      'findings-table',
      ct.findings.map(function (f) {
        return [
          when(f.time),
          text(f.eventSource) + ' ' + text(f.eventName),
          f.principal,
          f.sourceIpAddress,
          f.userAgent,
          f.reason,
        ];
      }),
      6,
      'No findings.',
    );
  }

  // Why the verdict is what it is: findings by severity, key findings, immediate actions.
  function renderWhy(s) {
    var d = s.dashboard;
    var counts = d.findingsBySeverity || {};
    setText(
      'findings-by-severity',
      ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW']
        .map(function (sev) {
          return sev + ' ' + num(counts[sev]);
        })
        .join(' · '),
    );
    var reasons = d.inconclusiveReasons || [];
    var list = function (id, items, emptyText) {
      var ul = $(id);
      var fresh = items.length
        ? items.map(function (t) {
            return el('li', t);
          })
        : [el('li', emptyText, 'muted')];
      ul.replaceChildren.apply(ul, fresh);
    };
    // The key findings already lead with why there is no verdict; with no evidence at all there are none but the reasons.
    var key = d.keyFindings || [];
    list('key-findings', key.length ? key : reasons, 'No findings.');
    list('immediate-actions', d.immediateActions || [], 'Nothing to do now.');
  }

  function render(s) {
    renderHeader(s);
    renderWhy(s);
    renderCharts(s);
    renderResources(s);
    renderTables(s);
    body.dataset.generatedAt = text(s.generatedAt);
  }

  function refresh() {
    fetch('api/snapshot', { headers: headers, cache: 'no-store' })
      .then(function (res) {
        if (!res.ok) throw new Error('HTTP ' + res.status);
        return res.json();
      })
      .then(function (snapshot) {
        render(snapshot);
        var c = $('connection');
        c.textContent = 'live';
        c.className = 'muted';
      })
      .catch(function (err) {
        var c = $('connection');
        c.textContent = 'update failed: ' + text(err && err.message);
        c.className = 'badge bad';
      })
      .finally(function () {
        window.setTimeout(refresh, refreshMs);
      });
  }
  refresh();
})();
