//! The report's sections, each a piece of HTML built from the [`Folder`]:
//! what was simulated, the tables, the timeline, the event list, the charts.
//! A section whose files the folder lacks is left out.

use super::timeline::{self, Lane, LaneKind, Mark};
use super::{clock, duration_text, esc};
use crate::engine::Time;
use crate::experiment::Stat;
use crate::report::charts::style::{self, Statuses};
use crate::report::faults::FaultKind;
use crate::report::folder::{Folder, Trace};
use crate::report::{fmt_human, fmt_interval, fmt_like_mean, fmt_secs};
use plotters::style::RGBColor;
use std::fmt::Write;

/// The page's title: the scenario, or what the folder compares.
pub fn title(folder: &Folder) -> String {
    if let Some(s) = &folder.summary {
        return s.scenario.clone();
    }
    if let Some(sizing) = &folder.sizing {
        return format!("Sizing {}", sizing.key);
    }
    if !folder.comparison.is_empty() {
        return "Strategies compared".into();
    }
    if let Some(sweep) = &folder.sweep {
        return format!("Sweep over {}", sweep.keys.join(" × "));
    }
    "Results".into()
}

fn hex(c: RGBColor) -> String {
    format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2)
}

/// The colours of statuses and faults, shared with the PNG charts.
pub fn colours(folder: &Folder) -> String {
    let mut css = String::new();
    if let Some(trace) = &folder.trace {
        for (name, colour) in Statuses::of(trace).legend {
            let _ = writeln!(css, ".st-{name}{{fill:{0}}} .sw.st-{name}{{background:{0}}}", hex(colour));
        }
    }
    let faults = [
        ("f-crash", FaultKind::Crash),
        ("f-service", FaultKind::ServiceStopped),
        ("f-link", FaultKind::LinkCut),
        ("f-split", FaultKind::SplitBrain),
        ("f-unmounted", FaultKind::MailboxesUnmounted),
    ];
    for (class, kind) in faults {
        let _ = writeln!(css, ".{class}{{fill:{0}}} .sw.{class}{{background:{0}}}", hex(style::fault_look(kind).0));
    }
    css
}

/// What was simulated and how to get the same files again.
pub fn header(folder: &Folder, charts: bool) -> String {
    let mut h = String::from("<header>\n");
    let _ = writeln!(h, "<h1>{}</h1>", esc(&title(folder)));
    let kind = if folder.is_chat() { "Persistent Chat pool, manual failover" } else { "voice-messaging cluster" };
    let what = match (&folder.summary, &folder.sizing, folder.comparison.is_empty(), &folder.sweep) {
        (Some(_), ..) => "a run",
        (None, Some(_), ..) => "sizing",
        (None, None, false, _) => "a comparison",
        (None, None, true, Some(_)) => "a sweep",
        _ => "results",
    };
    let _ = writeln!(h, "<p class=\"kind\">clustersim report: {what} of a {kind}</p>");
    if let Some(s) = &folder.summary {
        if let Some(d) = s.description.as_deref().filter(|d| !d.is_empty()) {
            let _ = writeln!(h, "<p class=\"description\">{}</p>", esc(d));
        }
        h.push_str("<dl class=\"run\">\n");
        let horizon = Time::from_secs_f64(s.duration_s);
        let _ = writeln!(
            h,
            "<dt>Simulated</dt><dd>{} ({} s) per replication</dd>",
            duration_text(horizon),
            fmt_secs(horizon)
        );
        // Newer folders always record the window; the whole run is said so.
        let measured = match s.window {
            Some(w) if w.from_s > 0.0 || w.to_s < s.duration_s => {
                format!("from {} to {}", clock(Time::from_secs_f64(w.from_s)), clock(Time::from_secs_f64(w.to_s)))
            }
            None if s.warmup_s > 0.0 => {
                format!("after a warm-up of {}", duration_text(Time::from_secs_f64(s.warmup_s)))
            }
            _ => "the whole run".into(),
        };
        let _ = writeln!(h, "<dt>Measured</dt><dd>{}</dd>", esc(&measured));
        let _ = writeln!(h, "<dt>Seed</dt><dd>{}</dd>", s.seed);
        let stopped = match s.stopped.as_deref() {
            Some("precision") => " (enough for the precision asked)",
            Some("max_replications") => " (the most allowed, before the precision asked was reached)",
            _ => "",
        };
        let _ = writeln!(h, "<dt>Replications</dt><dd>{}{stopped}</dd>", s.replications);
        if let Some(t) = &folder.trace {
            let traced = match t.replications {
                1 => "the one traced".to_string(),
                n => format!("the first of {n} traced"),
            };
            let _ = writeln!(h, "<dt>Timeline and events</dt><dd>replication {} ({traced})</dd>", t.replication);
        }
        h.push_str("</dl>\n");
        let _ = writeln!(
            h,
            "<p>The same files again (from the folder that holds the scenario file):</p>\n<pre class=\"command\"><code>{}</code></pre>",
            esc(&command(folder))
        );
    }
    h.push_str(&nav(folder, charts));
    h.push_str("</header>\n");
    h
}

/// The command that writes this run's files again: the scenario by its
/// name, the seed, the replications and which were traced.
pub fn command(folder: &Folder) -> String {
    let Some(s) = &folder.summary else { return String::new() };
    let file = format!("scenarios/{}.yaml", s.scenario);
    let quoted = if file.chars().all(|c| c.is_ascii_alphanumeric() || "._/-".contains(c)) {
        file
    } else {
        format!("'{}'", file.replace('\'', r"'\''"))
    };
    let mut out = format!("clustersim run {quoted} --seed {} --replications {}", s.seed, s.replications);
    match &folder.trace {
        None => out.push_str(" --trace none"),
        Some(t) if t.replications > 1 => out.push_str(" --trace all"),
        Some(_) => {}
    }
    out
}

fn nav(folder: &Folder, charts: bool) -> String {
    let mut links = vec![];
    let mut add = |present: bool, id: &str, text: &str| {
        if present {
            links.push(format!("<a href=\"#{id}\">{text}</a>"));
        }
    };
    add(folder.summary.is_some(), "metrics", "Metrics");
    add(!folder.expectations.is_empty(), "expectations", "Expectations");
    add(folder.sizing.is_some(), "sizing", "Sizing");
    add(!folder.comparison.is_empty(), "comparison", "Comparison");
    add(folder.sweep.is_some(), "sweep", "Sweep");
    add(folder.trace.is_some(), "timeline", "Timeline");
    add(folder.trace.is_some(), "events", "Events");
    add(charts, "charts", "Charts");
    format!("<nav>{}</nav>\n", links.join(" · "))
}

/// A metric's definition from docs/metrics.md ("" for a metric it lacks).
fn definition(metric: &str, chat: bool) -> &'static str {
    crate::metrics::meaning(metric, chat).map_or("", |m| m.definition)
}

/// The docs' inline Markdown as HTML: `code` and *emphasis*, the rest escaped.
fn inline_markdown(text: &str) -> String {
    let mut out = String::new();
    for (i, part) in text.split('`').enumerate() {
        if i % 2 == 1 {
            let _ = write!(out, "<code>{}</code>", esc(part));
            continue;
        }
        for (j, piece) in part.split('*').enumerate() {
            if j % 2 == 1 {
                let _ = write!(out, "<em>{}</em>", esc(piece));
            } else {
                out.push_str(&esc(piece));
            }
        }
    }
    out
}

/// A metric's name with its definition on hover.
fn metric_cell(metric: &str, chat: bool) -> String {
    let plain = definition(metric, chat).replace(['`', '*'], "");
    format!("<th scope=\"row\" title=\"{}\"><code>{}</code></th>", esc(&plain), esc(metric))
}

/// `mean ± ci95` for a mean and half-width without a min and max.
fn interval(mean: f64, ci95: f64) -> String {
    fmt_interval(&Stat { mean, ci95, min: f64::NEG_INFINITY, max: f64::INFINITY })
}

/// One row per metric of `summary.json`: mean ± ci95, min, max, meaning.
pub fn metrics(folder: &Folder) -> String {
    let Some(s) = &folder.summary else { return String::new() };
    let chat = folder.is_chat();
    let many = s.replications > 1;
    let mut h = String::from("<section id=\"metrics\">\n<h2>Metrics</h2>\n");
    let _ = writeln!(
        h,
        "<p class=\"note\">{}</p>",
        if many {
            format!(
                "Over {} replications: the mean ± the half-width of its 95% confidence interval, and the smallest and largest replication.",
                s.replications
            )
        } else {
            "One replication: each metric's value.".to_string()
        }
    );
    h.push_str("<div class=\"wide\">\n<table class=\"metrics\">\n<thead><tr><th>metric</th><th>mean ± 95% CI</th><th>min</th><th>max</th><th>unit</th><th>meaning</th></tr></thead>\n<tbody>\n");
    for (name, stat) in s.metrics.iter() {
        let mean = if many { fmt_interval(stat) } else { fmt_human(stat.mean) };
        let _ = writeln!(
            h,
            "<tr data-metric=\"{}\">{}<td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td><td>{}</td></tr>",
            esc(name),
            metric_cell(name, chat),
            esc(&mean),
            esc(&fmt_like_mean(stat.min, stat)),
            esc(&fmt_like_mean(stat.max, stat)),
            esc(crate::metrics::meaning(name, chat).map_or("", |m| m.unit)),
            inline_markdown(definition(name, chat)),
        );
    }
    h.push_str("</tbody>\n</table>\n</div>\n</section>\n");
    h
}

/// The scenario's expectations and their verdicts.
pub fn expectations(folder: &Folder) -> String {
    let rows = &folder.expectations;
    let Some(first) = rows.first() else { return String::new() };
    let chat = folder.is_chat();
    let mut h = String::from("<section id=\"expectations\">\n<h2>Expectations</h2>\n");
    h.push_str(
        "<p class=\"note\">Each expectation holds when the whole 95% interval is on the right side of the bound, \
         fails when the mean is on the wrong side, and is unsure when the interval crosses it.</p>\n",
    );
    h.push_str("<div class=\"wide\">\n<table class=\"expectations\">\n<thead><tr>");
    for (key, _) in &first.keys {
        let _ = write!(h, "<th>{}</th>", esc(key));
    }
    h.push_str("<th>metric</th><th>bound</th><th>mean ± 95% CI</th><th>verdict</th></tr></thead>\n<tbody>\n");
    for e in rows {
        let _ = write!(h, "<tr data-metric=\"{}\" data-verdict=\"{}\">", esc(&e.metric), esc(&e.verdict));
        for (_, value) in &e.keys {
            let _ = write!(h, "<td>{}</td>", esc(value));
        }
        let bound = match e.bound.as_str() {
            "max" => format!("≤ {}", e.value),
            "min" => format!("≥ {}", e.value),
            other => format!("{other} {}", e.value),
        };
        let _ = writeln!(
            h,
            "{}<td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"verdict v-{}\">{}</td></tr>",
            metric_cell(&e.metric, chat),
            esc(&bound),
            esc(&interval(e.mean, e.ci95)),
            esc(&e.verdict),
            esc(&e.verdict)
        );
    }
    h.push_str("</tbody>\n</table>\n</div>\n</section>\n");
    h
}

/// The sizing answers, the targets, and every candidate tried.
pub fn sizing(folder: &Folder) -> String {
    let Some(s) = &folder.sizing else { return String::new() };
    let chat = folder.is_chat();
    let mut h = String::from("<section id=\"sizing\">\n<h2>Sizing</h2>\n");
    let targets: Vec<String> = s
        .targets
        .iter()
        .map(|t| {
            let op = match t.op.as_str() {
                "<=" => "≤",
                ">=" => "≥",
                other => other,
            };
            format!("<code>{}</code> {} {}", esc(&t.metric), esc(op), esc(&fmt_human(t.value)))
        })
        .collect();
    let _ = writeln!(
        h,
        "<p>The least <code>{}</code> at which every target holds with 95% confidence: {}.</p>",
        esc(&s.key),
        targets.join(" and ")
    );
    let _ = writeln!(
        h,
        "<table class=\"answers\">\n<thead><tr><th>strategy</th><th>{}</th></tr></thead>\n<tbody>",
        esc(&s.key)
    );
    for (strategy, answer) in &s.answers {
        let cell = match answer {
            Some(n) => format!("<td class=\"num answer\">{n}</td>"),
            None => "<td class=\"none\">not met in the range searched</td>".into(),
        };
        let _ = writeln!(h, "<tr data-strategy=\"{0}\"><th scope=\"row\">{0}</th>{cell}</tr>", esc(strategy));
    }
    h.push_str("</tbody>\n</table>\n");
    if let Some(n) = s.textbook {
        let _ = writeln!(
            h,
            "<p class=\"note\">The textbook answer, Erlang B at the scenario's peak-hour load (one pool of ports, \
             no failure): {n}.</p>"
        );
    }
    for w in &s.warnings {
        let _ = writeln!(h, "<p class=\"warning\">{}</p>", esc(w));
    }
    if !s.candidates.is_empty() {
        h.push_str("<details>\n<summary>Every candidate evaluated</summary>\n<table class=\"candidates\">\n");
        let _ = writeln!(
            h,
            "<thead><tr><th>strategy</th><th>{}</th><th>metric</th><th>mean ± 95% CI</th><th>meets</th></tr></thead>\n<tbody>",
            esc(&s.key)
        );
        for c in &s.candidates {
            let _ = writeln!(
                h,
                "<tr class=\"{}\"><td>{}</td><td class=\"num\">{}</td>{}<td class=\"num\">{}</td><td>{}</td></tr>",
                if c.meets { "meets" } else { "misses" },
                esc(&c.strategy),
                esc(&c.value),
                metric_cell(&c.metric, chat),
                esc(&interval(c.mean, c.ci95)),
                if c.meets { "yes" } else { "no" }
            );
        }
        h.push_str("</tbody>\n</table>\n</details>\n");
    }
    h.push_str("</section>\n");
    h
}

/// Metric rows, strategy columns; each later strategy's paired difference
/// from the first, highlighted where it is beyond its 95% interval.
pub fn comparison(folder: &Folder) -> String {
    let rows = &folder.comparison;
    if rows.is_empty() {
        return String::new();
    }
    let chat = folder.is_chat();
    let mut strategies: Vec<&str> = vec![];
    let mut metrics: Vec<&str> = vec![];
    for r in rows {
        if !strategies.contains(&r.strategy.as_str()) {
            strategies.push(&r.strategy);
        }
        if !metrics.contains(&r.metric.as_str()) {
            metrics.push(&r.metric);
        }
    }
    let names: Vec<String> = strategies.iter().map(|s| s.to_string()).collect();
    let (note, labels) = crate::report::experiments::short_labels(&names);
    let mut h = String::from("<section id=\"comparison\">\n<h2>Comparison</h2>\n");
    let _ = writeln!(
        h,
        "<p class=\"note\">{}Each cell: mean ± 95% CI; below it, the paired difference from <strong>{}</strong> over the \
         same replications (common random numbers), <mark>highlighted</mark> where the interval excludes zero.</p>",
        esc(&note),
        esc(&labels[0])
    );
    h.push_str("<div class=\"wide\">\n<table class=\"comparison\">\n<thead><tr><th>metric</th>");
    for l in &labels {
        let _ = write!(h, "<th>{}</th>", esc(l));
    }
    h.push_str("</tr></thead>\n<tbody>\n");
    for metric in &metrics {
        let _ = write!(h, "<tr data-metric=\"{}\">{}", esc(metric), metric_cell(metric, chat));
        for (i, strategy) in strategies.iter().enumerate() {
            let Some(r) = rows.iter().find(|r| r.strategy == *strategy && r.metric == *metric) else {
                h.push_str("<td></td>");
                continue;
            };
            let _ = write!(h, "<td class=\"num\">{}", esc(&interval(r.mean, r.ci95)));
            if i > 0 {
                let beyond = r.diff.abs() > r.diff_ci95;
                let sign = if r.diff > 0.0 { "+" } else { "" };
                let _ = write!(
                    h,
                    "<br><span class=\"diff{}\">Δ {sign}{}</span>",
                    if beyond { " beyond" } else { "" },
                    esc(&interval(r.diff, r.diff_ci95))
                );
            }
            h.push_str("</td>");
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody>\n</table>\n</div>\n</section>\n");
    h
}

/// Metric rows, grid-point columns (a header row per swept key).
pub fn sweep(folder: &Folder) -> String {
    let Some(sweep) = &folder.sweep else { return String::new() };
    let chat = folder.is_chat();
    let mut points: Vec<&Vec<String>> = vec![];
    let mut metrics: Vec<&str> = vec![];
    for r in &sweep.rows {
        if !points.contains(&&r.values) {
            points.push(&r.values);
        }
        if !metrics.contains(&r.metric.as_str()) {
            metrics.push(&r.metric);
        }
    }
    let mut h = String::from("<section id=\"sweep\">\n<h2>Sweep</h2>\n");
    h.push_str("<p class=\"note\">Each cell: mean ± 95% CI at one point of the grid.</p>\n");
    h.push_str("<div class=\"wide\">\n<table class=\"sweep\">\n<thead>\n");
    for (k, key) in sweep.keys.iter().enumerate() {
        let _ = write!(h, "<tr><th scope=\"row\"><code>{}</code></th>", esc(key));
        for p in &points {
            let _ = write!(h, "<th>{}</th>", esc(&p[k]));
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</thead>\n<tbody>\n");
    for metric in &metrics {
        let _ = write!(h, "<tr data-metric=\"{}\">{}", esc(metric), metric_cell(metric, chat));
        for p in &points {
            let cell = sweep.rows.iter().find(|r| &r.values == *p && r.metric == *metric);
            let text = cell.map(|r| interval(r.mean, r.ci95)).unwrap_or_default();
            let _ = write!(h, "<td class=\"num\">{}</td>", esc(&text));
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody>\n</table>\n</div>\n</section>\n");
    h
}

/// The timeline's geometry, in SVG units (the page scales it to fit).
const WIDTH: f64 = 1200.0;
const LEFT: f64 = 210.0;
const RIGHT: f64 = 1188.0;
const AXIS: f64 = 30.0;
const GAP: f64 = 4.0;

fn lane_height(kind: LaneKind) -> f64 {
    match kind {
        LaneKind::Status => 20.0,
        LaneKind::Events => 14.0,
        LaneKind::Span => 14.0,
    }
}

/// The x of time `t` in the view `[from, to]`.
fn x_of(t: Time, view: (Time, Time)) -> f64 {
    let span = (view.1.saturating_sub(view.0)).secs().max(1e-6);
    LEFT + (t.secs() - view.0.secs()) / span * (RIGHT - LEFT)
}

/// One mark as an SVG rect with the data the script and the tests read.
fn mark(m: &Mark, y: f64, height: f64, view: (Time, Time)) -> String {
    let x0 = x_of(m.start, view);
    let (x, width, end) = match m.end {
        Some(end) => (x0, (x_of(end, view) - x0).max(1.5), format!(" data-end-s=\"{}\"", fmt_secs(end))),
        None => (x0 - 2.0, 4.0, String::new()),
    };
    let index = m.event.map(|i| format!(" data-index=\"{i}\"")).unwrap_or_default();
    format!(
        "<rect class=\"mark {}\" x=\"{x:.1}\" y=\"{y:.1}\" width=\"{width:.1}\" height=\"{height:.1}\" data-time-s=\"{}\"{end} \
         data-server=\"{}\" data-at=\"{}\" data-what=\"{}\" data-cause=\"{}\" data-detail=\"{}\"{index}/>\n",
        m.class,
        fmt_secs(m.start),
        m.server,
        clock(m.start),
        esc(&m.what),
        esc(&m.cause),
        esc(&m.detail),
    )
}

/// The interactive timeline of the traced replication.
pub fn timeline(folder: &Folder) -> String {
    let Some(trace) = &folder.trace else { return String::new() };
    let horizon = folder.horizon();
    let lanes: Vec<Lane> = timeline::lanes(trace, horizon, folder.is_chat());
    let view = timeline::initial_view(trace, horizon);
    let height = AXIS + lanes.iter().map(|l| lane_height(l.kind) + GAP).sum::<f64>() + 6.0;
    let mut h = String::from("<section id=\"timeline\">\n");
    let _ = writeln!(h, "<h2>Timeline of replication {}</h2>", trace.replication);
    h.push_str(
        "<p class=\"note\">Wheel to zoom, drag to pan, drag along the time axis to zoom into a stretch; \
         hover a mark for its time, server, cause and detail; click one to find it in the event list.</p>\n",
    );
    h.push_str(&legend(trace, folder.is_chat()));
    h.push_str(
        "<div class=\"controls\"><button type=\"button\" data-zoom=\"in\">zoom in</button> \
         <button type=\"button\" data-zoom=\"out\">zoom out</button> \
         <button type=\"button\" data-zoom=\"start\">what happened</button> \
         <button type=\"button\" data-zoom=\"all\">whole run</button> <span id=\"view-range\"></span></div>\n",
    );
    let _ = writeln!(
        h,
        "<svg id=\"timeline-chart\" viewBox=\"0 0 {WIDTH} {height:.0}\" role=\"img\" aria-label=\"timeline of replication {}\" \
         data-horizon-s=\"{}\" data-start-from-s=\"{}\" data-start-to-s=\"{}\" data-view-from-s=\"{}\" data-view-to-s=\"{}\" \
         data-left=\"{LEFT}\" data-right=\"{RIGHT}\">",
        trace.replication,
        fmt_secs(horizon),
        fmt_secs(view.0),
        fmt_secs(view.1),
        fmt_secs(view.0),
        fmt_secs(view.1),
    );
    let _ = writeln!(
        h,
        "<defs><clipPath id=\"timeline-clip\"><rect x=\"{LEFT}\" y=\"0\" width=\"{}\" height=\"{height:.0}\"/></clipPath></defs>",
        RIGHT - LEFT
    );
    let _ = writeln!(
        h,
        "<rect class=\"axis-band\" x=\"{LEFT}\" y=\"0\" width=\"{}\" height=\"{}\"/>",
        RIGHT - LEFT,
        AXIS - 6.0
    );
    let _ = writeln!(h, "<g id=\"timeline-axis\" data-top=\"{AXIS}\" data-bottom=\"{height:.0}\"></g>");
    let mut y = AXIS;
    let mut marks = String::new();
    for (i, lane) in lanes.iter().enumerate() {
        let lh = lane_height(lane.kind);
        let class = if i % 2 == 0 { "lane even" } else { "lane" };
        let _ = writeln!(
            h,
            "<rect class=\"{class}\" x=\"0\" y=\"{:.1}\" width=\"{WIDTH}\" height=\"{:.1}\"/><text class=\"lane-label{}\" x=\"{}\" y=\"{:.1}\">{}</text>",
            y - GAP / 2.0,
            lh + GAP,
            if lane.marks.is_empty() { " empty" } else { "" },
            LEFT - 8.0,
            y + lh / 2.0 + 4.0,
            esc(&lane.label)
        );
        let (my, mh) = match lane.kind {
            LaneKind::Events => (y + 1.0, lh - 2.0),
            _ => (y, lh),
        };
        for m in &lane.marks {
            marks.push_str(&mark(m, my, mh, view));
        }
        y += lh + GAP;
    }
    let _ = write!(h, "<g id=\"timeline-marks\" clip-path=\"url(#timeline-clip)\">\n{marks}</g>\n");
    let _ =
        writeln!(h, "<rect class=\"brush\" x=\"0\" y=\"0\" width=\"0\" height=\"{height:.0}\" visibility=\"hidden\"/>");
    h.push_str("</svg>\n<div id=\"tooltip\" role=\"tooltip\" hidden></div>\n</section>\n");
    h
}

/// Swatches for the statuses and the faults the timeline draws.
fn legend(trace: &Trace, chat: bool) -> String {
    let mut items: Vec<(String, String)> =
        Statuses::of(trace).legend.into_iter().map(|(name, _)| (format!("st-{name}"), name)).collect();
    if chat {
        items.push(("f-crash".into(), "data centre lost".into()));
        items.push(("runbook".into(), "runbook step".into()));
    } else {
        let faults = [
            ("f-crash", FaultKind::Crash),
            ("f-service", FaultKind::ServiceStopped),
            ("f-link", FaultKind::LinkCut),
            ("f-split", FaultKind::SplitBrain),
            ("f-unmounted", FaultKind::MailboxesUnmounted),
        ];
        items.extend(faults.iter().map(|(class, kind)| (class.to_string(), style::fault_look(*kind).1.to_string())));
        items.push(("c-blocked".into(), "calls blocked".into()));
        items.push(("c-dropped".into(), "calls dropped".into()));
        items.push(("c-mailbox".into(), "calls without mailbox".into()));
    }
    let spans: Vec<String> =
        items.iter().map(|(class, name)| format!("<span><i class=\"sw {class}\"></i>{}</span>", esc(name))).collect();
    format!("<div class=\"legend\">{}</div>\n", spans.join(" "))
}

/// The traced replication's events, one row each, filterable by server and event.
pub fn events(folder: &Folder) -> String {
    let Some(trace) = &folder.trace else { return String::new() };
    let mut servers: Vec<&str> = vec![];
    let mut kinds: Vec<&str> = vec![];
    for e in &trace.events {
        if !servers.contains(&e.server.as_str()) {
            servers.push(e.server.as_str());
        }
        if !kinds.contains(&e.kind.as_str()) {
            kinds.push(e.kind.as_str());
        }
    }
    kinds.sort_unstable();
    let options = |values: &[&str]| -> String {
        values.iter().map(|v| format!("<option value=\"{0}\">{0}</option>", esc(v))).collect::<Vec<_>>().join("")
    };
    let mut h = String::from("<section id=\"events\">\n");
    let _ = writeln!(h, "<h2>Events of replication {}</h2>", trace.replication);
    let _ = writeln!(
        h,
        "<div class=\"filters\"><label>server <select id=\"filter-server\"><option value=\"\">all</option>{}</select></label> \
         <label>event <select id=\"filter-event\"><option value=\"\">all</option>{}</select></label> \
         <span id=\"events-shown\">{n} of {n} events</span></div>",
        options(&servers),
        options(&kinds),
        n = trace.events.len()
    );
    h.push_str("<div class=\"scroll\">\n<table id=\"event-list\">\n<thead><tr><th>time</th><th>server</th><th>event</th><th>detail</th><th>facts</th></tr></thead>\n<tbody>\n");
    for (i, e) in trace.events.iter().enumerate() {
        let facts: Vec<String> = timeline::facts(e).into_iter().map(|(n, v)| format!("{n}: {}", esc(&v))).collect();
        let _ = writeln!(
            h,
            "<tr data-index=\"{i}\" data-time-s=\"{}\" data-server=\"{}\" data-event=\"{}\" tabindex=\"0\"><td class=\"num\" title=\"{} s\">{}</td><td>{}</td><td><code>{}</code></td><td>{}</td><td class=\"facts\">{}</td></tr>",
            fmt_secs(e.time.0),
            e.server,
            e.kind,
            fmt_secs(e.time.0),
            clock(e.time.0),
            e.server,
            e.kind,
            esc(&e.detail),
            facts.join("<br>")
        );
    }
    h.push_str("</tbody>\n</table>\n</div>\n</section>\n");
    h
}

/// The folder's charts, inline. Their own `xmlns` goes: an `<svg>` inside
/// HTML needs none, and the page then names no web address at all.
pub fn charts(charts: &[(String, String)]) -> String {
    if charts.is_empty() {
        return String::new();
    }
    let mut h = String::from("<section id=\"charts\">\n<h2>Charts</h2>\n");
    for (name, svg) in charts {
        let svg = svg.replacen(" xmlns=\"http://www.w3.org/2000/svg\"", "", 1);
        let _ =
            writeln!(h, "<figure id=\"chart-{name}\">\n{}\n<figcaption>{name}</figcaption>\n</figure>", svg.trim_end());
    }
    h.push_str("</section>\n");
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folder(summary: &str) -> Folder {
        Folder {
            summary: Some(serde_json::from_str(summary).unwrap()),
            replications: None,
            trace: None,
            comparison: vec![],
            sweep: None,
            sizing: None,
            expectations: vec![],
        }
    }

    #[test]
    fn the_command_names_the_scenario_the_seed_and_the_replications() {
        let f = folder(
            r#"{"scenario": "publisher-crash", "seed": 1, "replications": 50, "duration_s": 86400.0, "metrics": {}}"#,
        );
        // No trace files: the run traced none.
        assert_eq!(
            command(&f),
            "clustersim run scenarios/publisher-crash.yaml --seed 1 --replications 50 --trace none"
        );
        let f = folder(r#"{"scenario": "it's mine", "seed": 2, "replications": 1, "duration_s": 1.0, "metrics": {}}"#);
        assert_eq!(command(&f), r"clustersim run 'scenarios/it'\''s mine.yaml' --seed 2 --replications 1 --trace none");
    }

    #[test]
    fn the_docs_inline_markdown_becomes_html() {
        assert_eq!(
            inline_markdown("time no server is answering *or* `a < b`"),
            "time no server is answering <em>or</em> <code>a &lt; b</code>"
        );
    }

    #[test]
    fn an_interval_without_a_spread_keeps_the_mean_as_people_read_it() {
        assert_eq!(interval(0.0768, 0.0014), "0.0768 ± 0.0014");
        assert_eq!(interval(7.0, 0.0), "7 ± 0");
    }
}
