// clustersim report: the timeline's zoom, pan and tooltip, and the event
// list's filters, each linked to the other. Plain DOM, no library.
"use strict";
(function () {
  const chart = document.getElementById("timeline-chart");
  const list = document.getElementById("event-list");
  const tooltip = document.getElementById("tooltip");
  const rows = list ? Array.from(list.tBodies[0].rows) : [];

  // ---- The event list: filters by server and by event. ----
  const byServer = document.getElementById("filter-server");
  const byEvent = document.getElementById("filter-event");
  function filter() {
    let shown = 0;
    for (const row of rows) {
      const keep = (!byServer.value || row.dataset.server === byServer.value) &&
        (!byEvent.value || row.dataset.event === byEvent.value);
      row.hidden = !keep;
      shown += keep ? 1 : 0;
    }
    document.getElementById("events-shown").textContent = shown + " of " + rows.length + " events";
  }
  if (byServer) {
    byServer.addEventListener("change", filter);
    byEvent.addEventListener("change", filter);
  }

  if (!chart) return;

  // ---- The timeline: a view [from, to] in seconds mapped onto [left, right]. ----
  const horizon = +chart.dataset.horizonS;
  const left = +chart.dataset.left, right = +chart.dataset.right;
  const start = [+chart.dataset.startFromS, +chart.dataset.startToS];
  const marks = Array.from(chart.querySelectorAll(".mark"));
  const axis = document.getElementById("timeline-axis");
  const minWidth = Math.min(1, horizon);
  let view = start.slice();

  const x = (t) => left + (t - view[0]) / (view[1] - view[0]) * (right - left);
  const timeAt = (px) => view[0] + (px - left) / (right - left) * (view[1] - view[0]);

  function clamp(from, to) {
    let width = Math.min(Math.max(to - from, minWidth), horizon);
    from = Math.min(Math.max(from, 0), horizon - width);
    return [from, from + width];
  }

  function show(from, to) {
    view = clamp(from, to);
    chart.dataset.viewFromS = view[0];
    chart.dataset.viewToS = view[1];
    for (const m of marks) {
      const x0 = x(+m.dataset.timeS);
      if (m.dataset.endS === undefined) {
        m.setAttribute("x", (x0 - 2).toFixed(1));
      } else {
        m.setAttribute("x", x0.toFixed(1));
        m.setAttribute("width", Math.max(x(+m.dataset.endS) - x0, 1.5).toFixed(1));
      }
    }
    drawAxis();
    document.getElementById("view-range").textContent = clock(view[0]) + " – " + clock(view[1]);
  }

  // A clock from the start of the run (9:30:38, 2d 09:30:38), as fine as the tick step asks.
  function clock(t, step) {
    const decimals = step !== undefined && step < 1 ? Math.ceil(-Math.log10(step) - 1e-9) : 0;
    const scale = 10 ** decimals;
    const units = Math.round(t * scale);
    const whole = Math.floor(units / scale), fraction = units % scale;
    const days = Math.floor(whole / 86400), h = Math.floor((whole % 86400) / 3600);
    const m = Math.floor((whole % 3600) / 60), s = whole % 60;
    const pad = (n) => String(n).padStart(2, "0");
    if (step >= 86400) return days + "d";
    const hm = (days > 0 ? days + "d " + pad(h) : h) + ":" + pad(m);
    if (step >= 60) return hm;
    return hm + ":" + pad(s) + (decimals ? "." + String(fraction).padStart(decimals, "0") : "");
  }

  // Tick spacing: the first nice step giving at most about ten ticks.
  const STEPS = [0.001, 0.01, 0.1, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200,
    10800, 21600, 43200, 86400, 172800, 604800, 2592000];
  function drawAxis() {
    const step = STEPS.find((s) => (view[1] - view[0]) / s <= 10) || 2592000;
    const top = +axis.dataset.top, bottom = +axis.dataset.bottom;
    let html = "";
    for (let t = Math.ceil(view[0] / step) * step; t <= view[1]; t += step) {
      const px = x(t).toFixed(1);
      html += `<g class="tick"><line x1="${px}" x2="${px}" y1="${top - 6}" y2="${bottom}"></line>` +
        `<text x="${px}" y="${top - 12}">${clock(t, step)}</text></g>`;
    }
    axis.innerHTML = html;
  }

  // The pointer's x in the SVG's own units.
  function svgX(event) {
    const box = chart.getBoundingClientRect();
    return (event.clientX - box.left) / box.width * chart.viewBox.baseVal.width;
  }

  function zoom(factor, at) {
    show(at - (at - view[0]) * factor, at + (view[1] - at) * factor);
  }

  chart.addEventListener("wheel", (event) => {
    event.preventDefault();
    const at = Math.min(Math.max(timeAt(svgX(event)), view[0]), view[1]);
    zoom(event.deltaY > 0 ? 1.25 : 0.8, at);
  }, { passive: false });

  // Drag: pans the lanes; along the axis band, selects a stretch to zoom into.
  let drag = null;
  chart.addEventListener("pointerdown", (event) => {
    const onAxis = event.target.classList.contains("axis-band") || event.target.closest("#timeline-axis");
    drag = { x: svgX(event), view: view.slice(), brush: onAxis, moved: false };
  });
  chart.addEventListener("pointermove", (event) => {
    if (!drag) return;
    const dx = svgX(event) - drag.x;
    if (!drag.moved && Math.abs(dx) > 3) {
      // Captured only once it is a drag, so that a click still reaches its mark.
      drag.moved = true;
      chart.setPointerCapture(event.pointerId);
      chart.classList.add("dragging");
      tooltip.hidden = true;
    }
    if (!drag.moved) return;
    if (drag.brush) {
      drawBrush(drag.x, svgX(event));
    } else if (drag.moved) {
      const dt = dx / (right - left) * (drag.view[1] - drag.view[0]);
      show(drag.view[0] - dt, drag.view[1] - dt);
    }
  });
  chart.addEventListener("pointerup", (event) => {
    if (drag && drag.brush && drag.moved) {
      const a = timeAt(Math.max(drag.x, left)), b = timeAt(Math.min(svgX(event), right));
      show(Math.min(a, b), Math.max(a, b));
    }
    chart.classList.remove("dragging");
    brush.setAttribute("visibility", "hidden");
    // The click that ends a drag is not a click on a mark.
    setTimeout(() => { drag = null; }, 0);
  });
  const brush = chart.querySelector(".brush");
  function drawBrush(a, b) {
    brush.setAttribute("x", Math.min(a, b));
    brush.setAttribute("width", Math.abs(b - a));
    brush.setAttribute("visibility", "visible");
  }

  for (const button of document.querySelectorAll("[data-zoom]")) {
    button.addEventListener("click", () => {
      const middle = (view[0] + view[1]) / 2;
      const action = button.dataset.zoom;
      if (action === "in") zoom(0.5, middle);
      if (action === "out") zoom(2, middle);
      if (action === "start") show(start[0], start[1]);
      if (action === "all") show(0, horizon);
    });
  }

  // ---- The tooltip: what a mark is, when, where, why. ----
  // Events of one lane that fall on the same pixels are listed together.
  function neighbours(m) {
    if (m.dataset.endS !== undefined) return [];
    const y = m.getAttribute("y"), x0 = +m.getAttribute("x");
    return marks.filter((o) => o !== m && o.dataset.endS === undefined && o.getAttribute("y") === y &&
      Math.abs(+o.getAttribute("x") - x0) < 3);
  }
  function describe(m) {
    const d = m.dataset;
    const lines = [`<div class="what">${escape(d.what)}</div>`,
      `<div class="at">${escape(d.at)} (${escape(d.timeS)} s) · ${escape(d.server)}</div>`];
    if (d.cause) lines.push(`<div>cause: ${escape(d.cause)}</div>`);
    if (d.detail) lines.push(`<div>${escape(d.detail)}</div>`);
    const near = neighbours(m);
    for (const o of near.slice(0, 8)) {
      lines.push(`<div class="near">${escape(o.dataset.at)} <b>${escape(o.dataset.what)}</b> ${escape(o.dataset.detail)}</div>`);
    }
    if (near.length > 8) lines.push(`<div class="near">and ${near.length - 8} more: zoom in</div>`);
    return lines.join("");
  }
  function escape(text) {
    const span = document.createElement("span");
    span.textContent = text;
    return span.innerHTML;
  }
  function place(event) {
    const pad = 14;
    const wide = tooltip.offsetWidth, high = tooltip.offsetHeight;
    let left = event.clientX + pad, top = event.clientY + pad;
    if (left + wide > window.innerWidth) left = event.clientX - wide - pad;
    if (top + high > window.innerHeight) top = event.clientY - high - pad;
    tooltip.style.left = Math.max(left, 0) + "px";
    tooltip.style.top = Math.max(top, 0) + "px";
  }
  chart.addEventListener("pointerover", (event) => {
    const m = event.target.closest(".mark");
    if (!m || drag) return;
    tooltip.innerHTML = describe(m);
    tooltip.hidden = false;
    place(event);
  });
  chart.addEventListener("pointermove", (event) => { if (!tooltip.hidden) place(event); });
  chart.addEventListener("pointerout", (event) => {
    if (event.target.closest(".mark")) tooltip.hidden = true;
  });

  // ---- Both ways: a mark finds its row, a row centres the timeline on its mark. ----
  function select(elements) {
    for (const old of document.querySelectorAll(".selected")) old.classList.remove("selected");
    for (const e of elements) e.classList.add("selected");
  }

  // The row of an event mark; for a status or a span, the nearest row of its server in time.
  function rowOf(m) {
    if (m.dataset.index !== undefined) return rows[+m.dataset.index];
    const t = +m.dataset.timeS;
    const mine = rows.filter((r) => r.dataset.server === m.dataset.server);
    const pool = mine.length ? mine : rows;
    return pool.reduce((best, r) =>
      !best || Math.abs(+r.dataset.timeS - t) < Math.abs(+best.dataset.timeS - t) ? r : best, null);
  }

  chart.addEventListener("click", (event) => {
    const m = event.target.closest(".mark");
    if (!m || (drag && drag.moved)) return;
    const row = rowOf(m);
    select(row ? [m, row] : [m]);
    if (row) {
      if (row.hidden) { byServer.value = ""; byEvent.value = ""; filter(); }
      const box = row.closest(".scroll");
      box.scrollTop = row.offsetTop - box.clientHeight / 2;
    }
  });

  function centreOn(row) {
    const t = +row.dataset.timeS;
    const width = Math.min(view[1] - view[0], Math.max(horizon / 10, 60));
    show(t - width / 2, t + width / 2);
    const mark = marks.find((m) => m.dataset.index === row.dataset.index);
    select(mark ? [row, mark] : [row]);
  }
  for (const row of rows) {
    row.addEventListener("click", () => centreOn(row));
    row.addEventListener("keydown", (event) => { if (event.key === "Enter") centreOn(row); });
  }

  show(start[0], start[1]);
})();
