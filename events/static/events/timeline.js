/* Chancery's public page, enhanced: actor pickers, a histogram, a time axis, a detail panel and the
 * two-actor view. The server-rendered filters and list work without this file; everything here reads
 * the same filters (in the URL, in the API's grammar) from the API: docs/api.md and docs/page.md. */
(function () {
  "use strict";

  var page = JSON.parse(document.getElementById("page-data").textContent);
  var DAY = 86400000;
  var names = Object.assign({}, page.names); // actor id -> name, filled as the page learns them
  var PRECISION_NOTE = { month: "known to the month", year: "known to the year" };
  var MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December"];
  // Type families in colours that keep apart for most readers: cooperation cool, coercion warm.
  var FAMILY_COLOURS = {
    talks: "#1f77b4", meeting: "#17becf", agreement: "#2ca02c", proposal: "#7fb77e",
    statement: "#8c8c8c", sanctions: "#d62728", diplomats: "#ff7f0e", property: "#8c564b",
    flights: "#9467bd", missions: "#e377c2"
  };
  var SPARE_COLOURS = ["#bcbd22", "#393b79", "#637939", "#843c39", "#7b4173", "#3182bd"];

  // ------------------------------------------------------------------ small helpers

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      var value = attrs[key];
      if (value === null || value === undefined || value === false) return;
      if (key === "text") node.textContent = value;
      else if (key === "className") node.className = value;
      else if (key.slice(0, 2) === "on") node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : value);
    });
    (children || []).forEach(function (child) {
      if (child === null || child === undefined) return;
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function svg(tag, attrs, children) {
    var node = document.createElementNS("http://www.w3.org/2000/svg", tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    (children || []).forEach(function (child) { node.appendChild(child); });
    return node;
  }

  function getJSON(url) {
    return fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" }).then(function (r) {
      if (!r.ok) throw new Error(url + " answered HTTP " + r.status);
      return r.json();
    });
  }

  function withQuery(path, extra) {
    var parts = [page.query, extra].filter(Boolean);
    return path + (parts.length ? "?" + parts.join("&") : "");
  }

  // "2025", "2025-02" or "2025-02-18" -> {start: Date, end: Date (exclusive), precision}
  function span(text, precision) {
    var bits = text.split("-").map(Number);
    var y = bits[0], m = (bits[1] || 1) - 1, d = bits[2] || 1;
    precision = precision || (bits.length === 1 ? "year" : bits.length === 2 ? "month" : "day");
    var start = new Date(Date.UTC(y, m, d));
    var end = precision === "year" ? new Date(Date.UTC(y + 1, 0, 1))
      : precision === "month" ? new Date(Date.UTC(y, m + 1, 1)) : new Date(start.getTime() + DAY);
    return { start: start, end: end, precision: precision };
  }

  function humanDate(text, precision) {
    var bits = text.split("-").map(Number);
    if (precision === "year" || bits.length === 1) return String(bits[0]);
    if (precision === "month" || bits.length === 2) return MONTHS[bits[1] - 1] + " " + bits[0];
    return bits[2] + " " + MONTHS[bits[1] - 1] + " " + bits[0];
  }

  function whenText(event) {
    var text = humanDate(event.start, event.start_precision);
    if (event.end) text += " – " + humanDate(event.end, event.end_precision || event.start_precision);
    return text;
  }

  function precisionNote(event) {
    var coarse = [event.start_precision, event.end_precision].filter(function (p) { return p && p !== "day"; });
    if (!coarse.length) return "";
    if (!event.end || event.start_precision === event.end_precision) return PRECISION_NOTE[coarse[0]];
    return "start " + PRECISION_NOTE[event.start_precision] + ", end " + PRECISION_NOTE[event.end_precision];
  }

  function signed(x) { return (x > 0 ? "+" : x < 0 ? "−" : "") + Math.abs(x).toFixed(1); }

  function plural(n, word) { return n + " " + word + (n === 1 ? "" : "s"); }

  function hexToRgb(hex) {
    var n = parseInt(hex.slice(1), 16);
    return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
  }

  function rgba(hex, alpha) { return "rgba(" + hexToRgb(hex).join(",") + "," + alpha + ")"; }

  function mix(a, b, t) {
    var x = hexToRgb(a), y = hexToRgb(b);
    return "#" + x.map(function (v, i) {
      return Math.round(v + (y[i] - v) * t).toString(16).padStart(2, "0");
    }).join("");
  }

  // Text on a background: dark unless the background is dark (WCAG relative luminance).
  function inkOn(hex) {
    var lum = hexToRgb(hex).map(function (v) {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    var l = 0.2126 * lum[0] + 0.7152 * lum[1] + 0.0722 * lum[2];
    return l > 0.18 ? "#111" : "#fff";
  }

  // Goldstein's scale runs from -10 (most conflictual) to +10 (most cooperative).
  var CONFLICT = "#b2182b", NEUTRAL = "#f2f2f2", COOPERATION = "#2166ac", UNSCORED = "#bdbdbd";
  function goldsteinColour(score) {
    if (score === null || score === undefined) return UNSCORED;
    var t = Math.max(-1, Math.min(1, score / 10));
    return t < 0 ? mix(NEUTRAL, CONFLICT, -t) : mix(NEUTRAL, COOPERATION, t);
  }

  function hatch(colour, light) {
    return "background-color:" + light + ";background-image:repeating-linear-gradient(135deg," +
      rgba(colour, 0.45) + " 0 4px,transparent 4px 9px);border-style:dashed;border-color:" + colour + ";";
  }

  // ------------------------------------------------------------------ actor pickers (ARIA combobox)

  var pickerCount = 0;

  function ActorPicker(input) {
    var self = this;
    var id = input.id || "actor-picker-" + (++pickerCount);
    var list = el("ul", { role: "listbox", id: id + "-options", className: "options", hidden: true });
    var hidden = el("input", { type: "hidden", name: "actor", value: input.value });
    var timer = null, options = [], active = -1, lastQuery = null;
    this.input = input;
    this.hidden = hidden;

    input.removeAttribute("name");
    input.value = input.dataset.name || input.value;
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);
    input.setAttribute("placeholder", "Type a name…");
    input.parentNode.classList.add("picker");
    input.parentNode.appendChild(hidden);
    input.parentNode.appendChild(list);

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      active = index;
      Array.prototype.forEach.call(list.children, function (li, i) {
        li.setAttribute("aria-selected", i === index ? "true" : "false");
      });
      if (index >= 0 && list.children[index]) {
        input.setAttribute("aria-activedescendant", list.children[index].id);
        list.children[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function choose(actor) {
      names[actor.id] = actor.name;
      hidden.value = actor.id;
      input.value = actor.name;
      input.dataset.name = actor.name;
      close();
      if (self.onchoose) self.onchoose(self);
    }

    function show(results) {
      options = results;
      list.textContent = "";
      results.forEach(function (actor, i) {
        var detail = [actor.id, actor.kind, actor.country].filter(Boolean).join(" · ");
        list.appendChild(el("li", {
          role: "option", id: id + "-option-" + i, "aria-selected": "false",
          onmousedown: function (e) { e.preventDefault(); choose(actor); }
        }, [el("span", { className: "option-name", text: actor.name }), " ",
          el("span", { className: "option-detail", text: detail })]));
      });
      if (!results.length) list.appendChild(el("li", { className: "no-option", text: "No actor by that name" }));
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      highlight(results.length ? 0 : -1);
    }

    function search() {
      var text = input.value.trim();
      if (text === lastQuery && !list.hidden) return;
      lastQuery = text;
      if (!text) { close(); return; }
      getJSON(page.api.actors + "?page_size=8&q=" + encodeURIComponent(text)).then(function (data) {
        if (input.value.trim() === text && document.activeElement === input) show(data.results);
      }).catch(close);
    }

    input.addEventListener("input", function () {
      // Typing an id and submitting without picking still works: the typed text is the value.
      hidden.value = input.value.trim();
      delete input.dataset.name;
      clearTimeout(timer);
      timer = setTimeout(search, 150);
    });
    input.addEventListener("keydown", function (e) {
      var open = !list.hidden && options.length;
      if (e.key === "ArrowDown") {
        e.preventDefault();
        if (!open) { lastQuery = null; search(); } else highlight((active + 1) % options.length);
      } else if (e.key === "ArrowUp" && open) {
        e.preventDefault();
        highlight((active - 1 + options.length) % options.length);
      } else if (e.key === "Enter" && open && active >= 0) {
        e.preventDefault(); // picks; a second Enter submits the form
        choose(options[active]);
      } else if (e.key === "Escape" && !list.hidden) {
        e.preventDefault();
        close();
      }
    });
    input.addEventListener("blur", function () { setTimeout(close, 100); });
  }

  function setUpActorFields(form) {
    var fieldset = document.getElementById("actor-fields");
    var hint = document.getElementById("actor-hint");
    if (!fieldset) return;
    hint.textContent = "Events in which every chosen actor takes part: type a name, pick it from the list.";
    var pickers = [];

    function view() {
      var checked = form.querySelector("input[name=view]:checked");
      return checked ? checked.value : "all";
    }

    function relabel() {
      var pair = view() === "pair";
      pickers.forEach(function (picker, i) {
        var label = picker.input.parentNode.querySelector("label");
        label.textContent = pair ? (i === 0 ? "First actor" : "Second actor") : (i === 0 ? "Actor" : "And actor");
      });
    }

    function add(value, name) {
      var n = fieldset.querySelectorAll(".actor-field").length + 1;
      var inputId = "actor-" + n + "-" + (++pickerCount);
      var input = el("input", { id: inputId, value: value || "", autocomplete: "off", spellcheck: "false",
        "aria-describedby": "actor-hint" });
      if (name) input.dataset.name = name;
      var field = el("div", { className: "actor-field" }, [el("label", { for: inputId, text: "Actor" }), input]);
      fieldset.insertBefore(field, hint);
      return attach(input);
    }

    function attach(input) {
      var picker = new ActorPicker(input);
      picker.onchoose = function () {
        // In the plain view there is always one empty field left, to add another actor.
        if (view() === "all" && pickers[pickers.length - 1] === picker) { add(); relabel(); }
      };
      pickers.push(picker);
      return picker;
    }

    Array.prototype.forEach.call(fieldset.querySelectorAll("input[name=actor]"), attach);

    // The pair view has exactly two pickers; the plain view keeps the chosen ones and one empty.
    Array.prototype.forEach.call(form.querySelectorAll("input[name=view]"), function (radio) {
      radio.addEventListener("change", function () {
        if (view() === "pair") {
          while (pickers.length < 2) add();
          while (pickers.length > 2 && !pickers[pickers.length - 1].hidden.value) {
            pickers.pop().input.parentNode.remove();
          }
        } else if (pickers[pickers.length - 1].hidden.value) {
          add();
        }
        relabel();
      });
    });
    relabel();
  }

  // On a phone the form would fill the first screen: it folds behind a button that says what is active.
  function collapseOnPhones(form) {
    if (!window.matchMedia("(max-width: 40rem)").matches || document.getElementById("errors")) return;
    var active = {};
    page.query.split("&").filter(Boolean).forEach(function (pair) { active[pair.split("=")[0]] = true; });
    var n = Object.keys(active).length;
    var button = el("button", { type: "button", className: "filters-toggle", "aria-expanded": "false",
      "aria-controls": "filters" }, ["Filters" + (n ? " · " + n + " active" : "")]);
    button.addEventListener("click", function () {
      var open = button.getAttribute("aria-expanded") !== "true";
      button.setAttribute("aria-expanded", String(open));
      form.hidden = !open;
      if (open) form.querySelector("input, select").focus();
    });
    form.hidden = true;
    form.parentNode.insertBefore(button, form);
  }

  // ------------------------------------------------------------------ data

  function loadEvents() {
    // Every page of the filtered set, 1000 at a time, up to a bound that keeps the browser responsive.
    var events = [], pages = 0;
    function next(url) {
      return getJSON(url).then(function (data) {
        events = events.concat(data.results);
        pages += 1;
        if (data.next && pages < 20) return next(data.next);
        return { events: events, complete: !data.next };
      });
    }
    return next(withQuery(page.api.events, "page_size=1000"));
  }

  var bucketCache = {};
  function loadBuckets(interval) {
    if (!bucketCache[interval]) {
      bucketCache[interval] = getJSON(withQuery(page.api.timeline, "interval=" + interval));
    }
    return bucketCache[interval];
  }

  function loadNames(ids) {
    var missing = ids.filter(function (id) { return id && !(id in names); });
    return Promise.all(missing.map(function (id) {
      return getJSON(page.api.actors + encodeURIComponent(id) + "/").then(function (actor) {
        names[actor.id] = actor.name;
      }).catch(function () { names[id] = id; });
    }));
  }

  // ------------------------------------------------------------------ the explorer

  function Explorer(root, data) {
    this.root = root;
    this.events = data.events;
    this.complete = data.complete;
    this.types = data.types;
    this.byId = {};
    this.order = [];
    this.pair = page.view === "pair" && page.actors.length === 2 ? page.actors.slice() : null;
    this.status = document.getElementById("explore-status");
    this.detail = document.getElementById("detail");
    this.histogramBox = document.getElementById("histogram");
    this.intervalSelect = document.getElementById("interval");
    this.interval = null;
    this.selected = null;
    this.families = this.familyColours();
  }

  Explorer.prototype.familyColours = function () {
    var families = {}, spare = 0;
    this.types.forEach(function (t) {
      if (!families[t.family]) {
        families[t.family] = {
          code: t.family, name: t.family,
          colour: FAMILY_COLOURS[t.family] || SPARE_COLOURS[spare++ % SPARE_COLOURS.length]
        };
      }
      if (t.code === t.family) families[t.family].name = t.name;
    });
    return families;
  };

  Explorer.prototype.typeOf = function (code) {
    for (var i = 0; i < this.types.length; i++) if (this.types[i].code === code) return this.types[i];
    return { code: code, family: code.split(".")[0], name: code, goldstein: null };
  };

  Explorer.prototype.colourOf = function (event) {
    var type = this.typeOf(event.type);
    if (this.pair) return goldsteinColour(type.goldstein);
    return (this.families[type.family] || { colour: UNSCORED }).colour;
  };

  // Who acted on whom, for the lanes of the pair view.
  Explorer.prototype.laneOf = function (event) {
    var a = this.pair[0], b = this.pair[1];
    var initiators = event.participants.filter(function (p) { return p.role === "initiator"; })
      .map(function (p) { return p.actor; });
    // Each side is rolled up: Russia's lane has what its president and its ministry initiated.
    var treeA = (page.trees || {})[a] || [a], treeB = (page.trees || {})[b] || [b];
    var byA = initiators.some(function (id) { return treeA.indexOf(id) >= 0; });
    var byB = initiators.some(function (id) { return treeB.indexOf(id) >= 0; });
    if (byA && !byB) return "a";
    if (byB && !byA) return "b";
    return "both";
  };

  Explorer.prototype.item = function (event) {
    var start = span(event.start, event.start_precision);
    var end = event.end ? span(event.end, event.end_precision || event.start_precision) : start;
    var imprecise = start.precision !== "day" || (event.end && end.precision !== "day");
    var colour = this.colourOf(event);
    var note = precisionNote(event);
    var content = el("span", { className: "item-text" }, [
      el("span", { className: "item-title", text: event.title }),
      note ? el("span", { className: "item-note", text: note }) : null
    ]);
    // vis-timeline takes a string content or tooltip as HTML: every text goes to it as a DOM node.
    var item = {
      id: event.id, content: content, start: start.start,
      title: el("span", { text: whenText(event) + (note ? " (" + note + ")" : "") + ": " + event.title }),
      className: "event-" + event.id + " prec-" + (imprecise ? (start.precision === "year" || end.precision === "year" ? "year" : "month") : "day") +
        " status-" + event.status
    };
    if (this.pair) item.group = this.laneOf(event);
    var light = this.pair ? colour : mix(colour, "#ffffff", 0.82);
    if (event.end || imprecise) {
      item.type = "range";
      item.end = end.end;
      item.style = imprecise ? hatch(colour, mix(light, "#ffffff", this.pair ? 0.35 : 0.2)) + "color:#111;"
        : "background-color:" + light + ";border-color:" + colour + ";color:" + inkOn(light) + ";";
    } else {
      item.type = "box";
      item.style = "background-color:" + light + ";border-color:" + colour + ";color:" + inkOn(light) + ";";
    }
    return item;
  };

  Explorer.prototype.start = function () {
    var self = this;
    this.events.forEach(function (event) { self.byId[event.id] = event; self.order.push(event.id); });
    this.renderSummary();
    this.renderLegend();
    if (!window.vis || !window.vis.Timeline) {
      this.status.textContent = "The time axis could not load; the list below has every event.";
      return;
    }
    this.renderTimeline();
    this.bindControls();
    var wanted = /^#event=(.+)$/.exec(window.location.hash);
    if (wanted && this.byId[decodeURIComponent(wanted[1])]) this.select(decodeURIComponent(wanted[1]), { move: true });
  };

  Explorer.prototype.renderSummary = function () {
    var n = this.events.length;
    var text;
    if (!n) {
      text = "No event matches these filters.";
    } else {
      var first = this.events[0].start.slice(0, 4), last = this.events[n - 1].start.slice(0, 4);
      this.events.forEach(function (e) { if (e.end && e.end.slice(0, 4) > last) last = e.end.slice(0, 4); });
      text = plural(n, "event") + (this.complete ? "" : " (the first ones)") + ", " +
        (first === last ? first : first + "–" + last) + ".";
    }
    if (this.pair) {
      var scored = this.events.map(function (e) { return this.typeOf(e.type).goldstein; }, this)
        .filter(function (g) { return g !== null && g !== undefined; });
      var cooperative = scored.filter(function (g) { return g > 0; }).length;
      var conflictual = scored.filter(function (g) { return g < 0; }).length;
      text = "Between " + (names[this.pair[0]] || this.pair[0]) + " and " + (names[this.pair[1]] || this.pair[1]) +
        ": " + text + " " + cooperative + " cooperative, " + conflictual + " conflictual" +
        (scored.length ? ", mean Goldstein score " + signed(scored.reduce(function (a, b) { return a + b; }, 0) /
          scored.length) : "") + ".";
    } else if (page.view === "pair") {
      text = "Choose two actors above, then apply the filters, to compare them. " + text;
    }
    this.status.textContent = text;
  };

  Explorer.prototype.renderLegend = function () {
    var legend = document.getElementById("histogram-legend");
    var used = {};
    this.events.forEach(function (e) { used[this.typeOf(e.type).family] = true; }, this);
    legend.textContent = "";
    var list = el("ul", { className: "swatches", "aria-label": "Colours of the type families" });
    Object.keys(this.families).sort().forEach(function (code) {
      if (!used[code]) return;
      var f = this.families[code];
      list.appendChild(el("li", {}, [el("span", { className: "swatch", style: "background:" + f.colour }), f.name]));
    }, this);
    list.appendChild(el("li", {}, [el("span", { className: "swatch hatched" }), "date known only to the month or year"]));
    legend.appendChild(list);

    if (this.pair) {
      var box = document.getElementById("pair-legend");
      box.hidden = false;
      box.textContent = "";
      var stops = [-10, -5, 0, 5, 10].map(function (g) { return goldsteinColour(g) + " " + ((g + 10) * 5) + "%"; });
      box.appendChild(el("p", { className: "scale-title", text: "Colour: the type's Goldstein score" }));
      box.appendChild(el("div", { className: "scale" }, [
        el("span", { text: "conflict −10" }),
        el("span", { className: "scale-bar", style: "background:linear-gradient(90deg," + stops.join(",") + ")",
          role: "img", "aria-label": "from red (conflict, −10) through grey (0) to blue (cooperation, +10)" }),
        el("span", { text: "+10 cooperation" }),
        el("span", { className: "swatch", style: "background:" + UNSCORED }), el("span", { text: "no score" })
      ]));
    }
  };

  Explorer.prototype.renderTimeline = function () {
    var self = this;
    var vis = window.vis;
    var items = new vis.DataSet(this.events.map(this.item, this));
    var container = document.getElementById("timeline");
    var options = {
      // Dates are calendar dates, not instants: show them in UTC so that no time zone shifts a day.
      moment: function (date) { return vis.moment(date).utc(); },
      stack: true,
      zoomKey: "ctrlKey",
      zoomMin: 7 * DAY,
      zoomMax: 200 * 365 * DAY,
      margin: { item: { horizontal: 4, vertical: 6 }, axis: 8 },
      maxHeight: 540,
      minHeight: 180,
      verticalScroll: true,
      orientation: { axis: "bottom", item: "bottom" },
      showCurrentTime: false,
      selectable: true,
      multiselect: false,
      tooltip: { followMouse: false, overflowMethod: "cap" }
    };
    if (this.pair) {
      var a = names[this.pair[0]] || this.pair[0], b = names[this.pair[1]] || this.pair[1];
      // A lane's content, like an item's, would be read as HTML from a string; its title is an attribute.
      var lanes = [
        { id: "a", content: el("span", { text: a + " → " + b }), title: "initiated by " + a },
        { id: "b", content: el("span", { text: b + " → " + a }), title: "initiated by " + b },
        { id: "both", content: el("span", { text: "Both or neither" }), title: "both initiated, or neither did" }
      ];
      var usedLanes = {};
      this.events.forEach(function (e) { usedLanes[self.laneOf(e)] = true; });
      this.timeline = new vis.Timeline(container, items, new vis.DataSet(lanes.filter(function (l) {
        return usedLanes[l.id];
      })), options);
    } else {
      this.timeline = new vis.Timeline(container, items, options);
    }
    this.items = items;
    if (this.events.length) this.fit();

    this.timeline.on("select", function (props) {
      if (props.items.length) self.select(props.items[0], { from: "timeline" });
      else self.clear();
    });
    var pending = false;
    this.timeline.on("rangechange", function () {
      if (pending) return;
      pending = true;
      window.requestAnimationFrame(function () { pending = false; self.renderHistogram(); });
    });
    this.timeline.on("rangechanged", function () { self.renderHistogram(true); });
    if (window.ResizeObserver) new ResizeObserver(function () { self.renderHistogram(); }).observe(this.histogramBox);
    this.renderHistogram(true);
  };

  Explorer.prototype.fit = function () {
    // Room on both sides for the labels of the first and last events, which stick out of their dates.
    var min = Infinity, max = -Infinity;
    this.items.forEach(function (item) {
      min = Math.min(min, item.start.getTime());
      max = Math.max(max, (item.end || item.start).getTime());
    });
    var centre = this.timeline.dom && this.timeline.dom.center;
    var width = Math.max(centre && centre.clientWidth || document.getElementById("timeline").clientWidth, 200);
    // A box is centred on its day; the label of a short range runs on to the right of it.
    var leftPx = Math.min(140, width / 5), rightPx = Math.min(270, width / 3);
    var perPx = Math.max(max - min, 30 * DAY) / Math.max(width - leftPx - rightPx, 80);
    this.timeline.setWindow(new Date(min - leftPx * perPx), new Date(max + rightPx * perPx), { animation: false });
  };

  Explorer.prototype.bindControls = function () {
    var self = this;
    document.getElementById("zoom-in").addEventListener("click", function () { self.timeline.zoomIn(0.5); });
    document.getElementById("zoom-out").addEventListener("click", function () { self.timeline.zoomOut(0.5); });
    document.getElementById("fit").addEventListener("click", function () { self.fit(); });
    if (["year", "month", "day"].indexOf(page.interval) >= 0) this.intervalSelect.value = page.interval;
    this.intervalSelect.addEventListener("change", function () {
      // Kept in the URL with the filters, so that a shared link shows the same bars.
      var url = new URL(window.location.href);
      if (self.intervalSelect.value === "auto") url.searchParams.delete("interval");
      else url.searchParams.set("interval", self.intervalSelect.value);
      window.history.replaceState(null, "", url);
      self.renderHistogram(true);
    });

    var container = document.getElementById("timeline");
    container.addEventListener("keydown", function (e) {
      var index = self.selected ? self.order.indexOf(self.selected) : -1;
      if (e.key === "ArrowRight" || e.key === "ArrowLeft") {
        if (!self.order.length) return;
        e.preventDefault();
        var next = e.key === "ArrowRight" ? Math.min(index + 1, self.order.length - 1)
          : (index < 0 ? self.order.length - 1 : Math.max(index - 1, 0));
        self.select(self.order[next], { move: true, from: "keys" });
      } else if (e.key === "Home" || e.key === "End") {
        if (!self.order.length) return;
        e.preventDefault();
        self.select(self.order[e.key === "Home" ? 0 : self.order.length - 1], { move: true, from: "keys" });
      } else if (e.key === "+" || e.key === "=") {
        e.preventDefault(); self.timeline.zoomIn(0.5);
      } else if (e.key === "-" || e.key === "_") {
        e.preventDefault(); self.timeline.zoomOut(0.5);
      } else if (e.key === "Enter" && self.selected) {
        e.preventDefault(); document.getElementById("detail-title").focus();
      } else if (e.key === "Escape") {
        self.timeline.setSelection([]); self.clear();
      }
    });

    // The list below: each event can be shown on the axis and in the panel.
    Array.prototype.forEach.call(document.querySelectorAll("#events li[data-event]"), function (li) {
      var id = li.dataset.event;
      if (!self.byId[id]) return;
      var colour = self.colourOf(self.byId[id]);
      li.style.borderLeftColor = colour;
      li.classList.add("has-colour");
      var button = el("button", { type: "button", className: "show", "aria-controls": "detail",
        onclick: function () { self.select(id, { move: true, from: "list" }); } }, ["Show on the time axis"]);
      li.querySelector(".tags").appendChild(button);
    });
  };

  Explorer.prototype.select = function (id, how) {
    how = how || {};
    var event = this.byId[id];
    if (!event) return;
    this.selected = id;
    this.timeline.setSelection([id]);
    if (how.move) {
      var item = this.items.get(id), range = this.timeline.getWindow();
      var end = item.end || item.start;
      if (item.start < range.start || end > range.end) {
        var width = range.end - range.start;
        if (end - item.start > width * 0.9) this.timeline.focus(id, { animation: false });
        else this.timeline.moveTo(new Date((item.start.getTime() + end.getTime()) / 2), { animation: false });
      }
    }
    window.history.replaceState(null, "", "#event=" + encodeURIComponent(id));
    var self = this;
    var ids = event.participants.map(function (p) { return p.actor; })
      .concat(event.sources.map(function (s) { return s.claimed_by; }));
    loadNames(ids).then(function () {
      if (self.selected !== id) return;
      self.renderDetail(event);
      if (how.from === "list") {
        document.getElementById("explore").scrollIntoView({ block: "start" });
        document.getElementById("detail-title").focus();
      }
    });
  };

  Explorer.prototype.clear = function () {
    this.selected = null;
    window.history.replaceState(null, "", window.location.pathname + window.location.search);
    this.detail.textContent = "";
    this.detail.classList.remove("is-open");
    this.detail.appendChild(el("h2", { id: "detail-title", tabindex: "-1", text: "Select an event" }));
    this.detail.appendChild(el("p", { className: "hint", text: "Click an event on the time axis, or use the arrow " +
      "keys there, to read it here with its actors and sources." }));
  };

  Explorer.prototype.renderDetail = function (event) {
    var self = this;
    var type = this.typeOf(event.type);
    var colour = this.colourOf(event);
    var note = precisionNote(event);
    var d = this.detail;
    d.textContent = "";
    d.classList.add("is-open");
    d.appendChild(el("button", { type: "button", className: "close", "aria-label": "Close the details",
      onclick: function () { self.timeline.setSelection([]); self.clear(); document.getElementById("timeline").focus(); }
    }, ["×"]));
    d.appendChild(el("p", { className: "detail-kind" }, [
      el("span", { className: "swatch", style: "background:" + colour }),
      type.name, " · ", el("span", { className: "status status-" + event.status, text: event.status })
    ]));
    d.appendChild(el("h2", { id: "detail-title", tabindex: "-1", text: event.title }));
    d.appendChild(el("p", { className: "detail-when" }, [
      el("time", { datetime: event.start, text: whenText(event) }),
      note ? el("span", { className: "precision", text: note }) : null
    ]));
    if (this.pair) {
      var g = type.goldstein;
      d.appendChild(el("p", { className: "goldstein" }, [
        el("span", { className: "swatch", style: "background:" + goldsteinColour(g) }),
        g === null || g === undefined ? "No Goldstein score for this type"
          : "Goldstein score " + signed(g) +
            (g > 0 ? " (cooperation)" : g < 0 ? " (conflict)" : " (neutral)")
      ]));
    }
    if (event.summary) d.appendChild(el("p", { className: "detail-summary", text: event.summary }));
    if (event.location) {
      d.appendChild(el("p", { className: "detail-place", text: "Where: " + event.location.name +
        (event.location.country ? " (" + event.location.country + ")" : "") }));
    }

    var roles = {};
    event.participants.forEach(function (p) { (roles[p.role] = roles[p.role] || []).push(names[p.actor] || p.actor); });
    var order = ["initiator", "target", "participant", "mediator", "host"];
    var dl = el("dl", { className: "roles" });
    order.concat(Object.keys(roles).filter(function (r) { return order.indexOf(r) < 0; })).forEach(function (role) {
      if (!roles[role]) return;
      dl.appendChild(el("div", {}, [el("dt", { text: role }), el("dd", { text: roles[role].join(", ") })]));
    });
    d.appendChild(el("h3", { text: "Actors" }));
    d.appendChild(dl);

    d.appendChild(el("h3", { text: "Sources (" + event.sources.length + ")" }));
    var sources = el("ol", { className: "sources" });
    event.sources.forEach(function (s) {
      var cite = [el("a", { href: s.url, rel: "noopener noreferrer", text: s.title || s.url })];
      if (s.publisher) cite.push(", " + s.publisher);
      if (s.published) cite.push(", " + humanDate(s.published, "day"));
      sources.appendChild(el("li", {}, [
        s.quote ? el("blockquote", { cite: s.url, text: s.quote }) : null,
        el("p", { className: "claim" }, s.claimed_by
          ? ["Claim attributed to ", el("strong", { text: names[s.claimed_by] || s.claimed_by })]
          : ["The source's own account"]),
        el("p", { className: "cite" }, cite)
      ]));
    });
    d.appendChild(sources);

    if (event.related && event.related.length) {
      d.appendChild(el("h3", { text: "Related" }));
      var related = el("ul", { className: "related" });
      event.related.forEach(function (r) {
        var target = self.byId[r.event];
        var label = r.relation.replace("_", " ") + ": ";
        related.appendChild(el("li", {}, [label, target
          ? el("button", { type: "button", className: "link", text: target.title,
            onclick: function () { self.select(r.event, { move: true }); } })
          : el("span", { text: r.event + " (not in this view)" })]));
      });
      d.appendChild(related);
    }
    if (event.tags && event.tags.length) {
      d.appendChild(el("p", { className: "detail-tags", text: "Tags: " + event.tags.join(", ") }));
    }
    d.appendChild(el("p", { className: "detail-links" }, [
      el("a", { href: page.api.events + encodeURIComponent(event.id) + "/" +
        (page.as_of ? "?as_of=" + encodeURIComponent(page.as_of) : ""), text: "This event as JSON" })
    ]));
  };

  // ------------------------------------------------------------------ histogram (SVG)

  Explorer.prototype.autoInterval = function () {
    var w = this.timeline.getWindow();
    var days = (w.end - w.start) / DAY;
    return days > 6 * 365 ? "year" : days > 120 ? "month" : "day";
  };

  Explorer.prototype.renderHistogram = function (settled) {
    var self = this;
    if (!this.timeline) return;
    var interval = this.intervalSelect.value === "auto" ? this.autoInterval() : this.intervalSelect.value;
    // While dragging, redraw with the buckets at hand; fetch other intervals only once the range settles.
    if (interval !== this.interval && !settled && !bucketCache[interval]) interval = this.interval || interval;
    loadBuckets(interval).then(function (data) {
      self.interval = interval;
      self.drawHistogram(data, interval);
    }).catch(function () {
      self.histogramBox.textContent = "The counts per period could not load.";
    });
  };

  Explorer.prototype.drawHistogram = function (data, interval) {
    var box = this.histogramBox;
    var width = Math.max(box.clientWidth, 200), height = 120, top = 12, bottom = 20, left = 0;
    var plotH = height - top - bottom;
    var w = this.timeline.getWindow();
    var t0 = w.start.getTime(), t1 = w.end.getTime();
    // The axis of the time line below: same left edge (its lanes' labels) and width.
    var axis = this.timeline.dom && this.timeline.dom.center;
    var offset = 0, axisWidth = width - left;
    if (axis) {
      var boxRect = box.getBoundingClientRect(), rect = axis.getBoundingClientRect();
      if (rect.width > 0) { offset = rect.left - boxRect.left; axisWidth = rect.width; }
    }
    function x(t) { return offset + (t - t0) / (t1 - t0) * axisWidth; }

    var families = this.families;
    var familyOrder = Object.keys(families).sort();
    var max = 1;
    data.buckets.forEach(function (b) { max = Math.max(max, b.count); });
    // A round step that gives at most four grid lines: 1, 2, 5, 10, 20, 50...
    var step = 1;
    for (var k = 0; max / step > 4; k++) step = [1, 2, 5][k % 3] * Math.pow(10, Math.floor(k / 3));
    var yMax = Math.ceil(max / step) * step;
    function y(v) { return top + plotH - v / yMax * plotH; }

    var chart = svg("svg", { width: width, height: height, viewBox: "0 0 " + width + " " + height,
      role: "img", "aria-labelledby": "histogram-title" });
    var described = data.buckets.map(function (b) { return b.period + ": " + b.count; }).join(", ");
    chart.appendChild(svg("title", { id: "histogram-title" }, [document.createTextNode(
      "Events per " + interval + (described ? ": " + described : ": none"))]));
    var defs = svg("defs");
    var pattern = svg("pattern", { id: "hatch", width: 6, height: 6, patternUnits: "userSpaceOnUse",
      patternTransform: "rotate(45)" }, [svg("rect", { width: 3, height: 6, fill: "rgba(0,0,0,.28)" })]);
    defs.appendChild(pattern);
    chart.appendChild(defs);

    // Grid lines; their counts are written after the bars, inside the plot, so that the bars line up
    // with the time axis below (same left edge, same scale).
    var counts = [];
    for (var v = step; v <= yMax; v += step) {
      chart.appendChild(svg("line", { x1: offset, x2: offset + axisWidth, y1: y(v), y2: y(v), class: "grid" }));
      var label = svg("text", { x: offset + 3, y: y(v) - 2, class: "tick count" });
      label.textContent = v;
      counts.push(label);
    }
    var clip = svg("clipPath", { id: "plot-clip" }, [svg("rect", { x: left, y: 0, width: width - left, height: height })]);
    defs.appendChild(clip);
    var bars = svg("g", { "clip-path": "url(#plot-clip)" });
    var ranks = { day: 0, month: 1, year: 2 };
    // Coarser periods first, so that the months of a year are drawn over the band of the year.
    var buckets = data.buckets.slice().sort(function (a, b) { return b.period.length - a.period.length; });
    buckets.forEach(function (bucket) {
      var s = span(bucket.period);
      var x0 = x(s.start.getTime()), x1 = x(s.end.getTime());
      if (x1 < left || x0 > width) return;
      var imprecise = ranks[s.precision] > ranks[interval];
      var gap = Math.min(2, (x1 - x0) * 0.1);
      var base = 0;
      var g = svg("g", { class: "bar" + (imprecise ? " imprecise" : "") });
      var byFamily = {};
      Object.keys(bucket.types).forEach(function (code) {
        var family = code.split(".")[0];
        byFamily[family] = (byFamily[family] || 0) + bucket.types[code];
      });
      var parts = [];
      familyOrder.forEach(function (family) {
        var n = byFamily[family];
        if (!n) return;
        var colour = (families[family] || { colour: UNSCORED }).colour;
        var attrs = { x: x0 + gap / 2, width: Math.max(x1 - x0 - gap, 1.5), y: y(base + n), height: y(base) - y(base + n),
          fill: colour };
        if (imprecise) { attrs["fill-opacity"] = 0.35; }
        g.appendChild(svg("rect", attrs));
        if (imprecise) {
          g.appendChild(svg("rect", Object.assign({}, attrs, { fill: "url(#hatch)", "fill-opacity": 1 })));
        }
        parts.push(n + " " + (families[family] ? families[family].name : family));
        base += n;
      });
      var tip = svg("title");
      tip.textContent = bucket.period + (imprecise ? " (dates known only to the " + s.precision + ")" : "") + ": " +
        plural(bucket.count, "event") + " — " + parts.join(", ");
      g.appendChild(tip);
      bars.appendChild(g);
    }, this);
    chart.appendChild(bars);

    // Period labels along the bottom, as many as fit.
    var labels = svg("g", { class: "periods" });
    var visible = data.buckets.filter(function (b) {
      var s = span(b.period);
      return x(s.end.getTime()) >= left && x(s.start.getTime()) <= width;
    });
    var placed = [];
    // The periods of the interval first, then the coarser ones (a year among months) where there is room.
    visible.slice().sort(function (a, b) { return b.period.length - a.period.length; }).forEach(function (b) {
      var s = span(b.period);
      var cx = Math.max(left + 12, Math.min(width - 12, (x(s.start.getTime()) + x(s.end.getTime())) / 2));
      var room = 8 + 7 * b.period.length;
      if (placed.some(function (p) { return Math.abs(p - cx) < room; })) return;
      placed.push(cx);
      var t = svg("text", { x: cx, y: height - 5, class: "tick", "text-anchor": "middle" });
      t.textContent = b.period;
      labels.appendChild(t);
    });
    chart.appendChild(labels);
    counts.forEach(function (label) { chart.appendChild(label); });
    chart.appendChild(svg("line", { x1: offset, x2: offset + axisWidth, y1: y(0), y2: y(0), class: "baseline" }));
    box.textContent = "";
    box.appendChild(chart);
    box.dataset.interval = interval;
    box.dataset.buckets = String(visible.length);
  };

  // ------------------------------------------------------------------ relations index (SVG)

  // The two-actor view's relations index, drawn from the numbers the server wrote into the page (those of
  // /api/v1/relations/, also in the table below the chart). Per period: the net score above, the
  // cooperative and conflictual events apart below (up and down); each period is a link to its events.
  function drawRelations(box, index) {
    var buckets = index.buckets;
    if (!buckets.length) return;
    var width = Math.max(box.clientWidth, 280), left = 56, right = 8;
    var scoreTop = 10, scoreH = 96, countTop = scoreTop + scoreH + 14, countH = 72, labelsY = countTop + countH + 16;
    var height = labelsY + 6;
    var plotW = width - left - right, column = plotW / buckets.length;
    var barW = Math.max(Math.min(column * 0.7, 44), 2);
    var maxScore = 1, maxCount = 1;
    buckets.forEach(function (b) {
      maxScore = Math.max(maxScore, Math.abs(b.score));
      maxCount = Math.max(maxCount, b.cooperation, b.conflict);
    });
    var scoreZero = scoreTop + scoreH / 2, countZero = countTop + countH / 2;
    function scoreY(v) { return scoreZero - v / maxScore * (scoreH / 2); }
    function countY(v) { return countZero - v / maxCount * (countH / 2); }
    function text(attrs, value) { var t = svg("text", attrs); t.textContent = value; return t; }

    var a = names[index.a] || index.a, b = names[index.b] || index.b;
    var chart = svg("svg", { width: width, height: height, viewBox: "0 0 " + width + " " + height,
      role: "group", "aria-labelledby": "relations-chart-title" });
    chart.appendChild(svg("title", { id: "relations-chart-title" }, [document.createTextNode(
      "Relations index of " + a + " and " + b + " per " + index.interval + ": " + plural(buckets.length, "period") +
      "; each period is a link to its events")]));
    // The rows' names and scales, at the left.
    chart.appendChild(text({ x: 0, y: scoreTop + 10, class: "row-name" }, "Score"));
    chart.appendChild(text({ x: 0, y: scoreTop + 22, class: "tick" }, signed(maxScore)));
    chart.appendChild(text({ x: 0, y: scoreTop + scoreH, class: "tick" }, signed(-maxScore)));
    chart.appendChild(text({ x: 0, y: countTop + 10, class: "row-name" }, "Events"));
    chart.appendChild(text({ x: 0, y: countTop + 22, class: "tick" }, maxCount + " coop."));
    chart.appendChild(text({ x: 0, y: countTop + countH, class: "tick" }, maxCount + " confl."));
    chart.appendChild(svg("line", { x1: left, x2: width - right, y1: scoreZero, y2: scoreZero, class: "baseline" }));
    chart.appendChild(svg("line", { x1: left, x2: width - right, y1: countZero, y2: countZero, class: "baseline" }));

    // As many period labels as fit: every n-th.
    var every = Math.max(1, Math.ceil((8 + 7 * buckets[0].period.length) / column));
    var net = [];
    buckets.forEach(function (bucket, i) {
      var x0 = left + i * column, cx = x0 + column / 2, bx = cx - barW / 2;
      var description = bucket.period + ": score " + signed(bucket.score) + ", " + plural(bucket.count, "event") +
        " (" + bucket.cooperation + " cooperation, " + bucket.conflict + " conflict)";
      var link = svg("a", { href: bucket.url, class: "period", "aria-label": description + ". Show these events",
        "data-period": bucket.period, "data-score": bucket.score, "data-count": bucket.count,
        "data-cooperation": bucket.cooperation, "data-conflict": bucket.conflict });
      link.appendChild(svg("title", {}, [document.createTextNode(description)]));
      link.appendChild(svg("rect", { x: x0, y: 0, width: column, height: labelsY - 8, class: "hit" }));
      var top = Math.min(scoreY(bucket.score), scoreZero);
      link.appendChild(svg("rect", { x: bx, y: top, width: barW, height: Math.max(Math.abs(scoreY(bucket.score) - scoreZero), 1),
        class: "score " + (bucket.score > 0 ? "up" : bucket.score < 0 ? "down" : "zero") }));
      if (bucket.cooperation) {
        link.appendChild(svg("rect", { x: bx, y: countY(bucket.cooperation), width: barW,
          height: countZero - countY(bucket.cooperation), class: "cooperation" }));
      }
      if (bucket.conflict) {
        link.appendChild(svg("rect", { x: bx, y: countZero, width: barW,
          height: countY(-bucket.conflict) - countZero, class: "conflict" }));
      }
      if (i % every === 0) link.appendChild(text({ x: cx, y: labelsY, class: "tick", "text-anchor": "middle" }, bucket.period));
      chart.appendChild(link);
      net.push(cx + "," + scoreY(bucket.score));
    });
    // The net score, period to period.
    if (net.length > 1) chart.appendChild(svg("polyline", { points: net.join(" "), class: "net" }));
    box.textContent = "";
    box.appendChild(chart);
    box.appendChild(el("ul", { className: "swatches relations-legend" }, [
      el("li", {}, [el("span", { className: "swatch cooperation" }), "score above 0, events of cooperation (up)"]),
      el("li", {}, [el("span", { className: "swatch conflict" }), "score below 0, events of conflict (down)"]),
      el("li", { text: "Click or press Enter on a " + index.interval + " to list its events." })
    ]));
    box.dataset.periods = String(buckets.length);
  }

  // ------------------------------------------------------------------ start

  function main() {
    document.documentElement.classList.add("js");
    var form = document.getElementById("filters");
    if (form) {
      setUpActorFields(form);
      collapseOnPhones(form);
    }
    var relations = document.getElementById("relations-chart");
    if (relations && page.relations) {
      drawRelations(relations, page.relations);
      var redraw = null;
      window.addEventListener("resize", function () {
        clearTimeout(redraw);
        redraw = setTimeout(function () { drawRelations(relations, page.relations); }, 100);
      });
    }
    var root = document.getElementById("explore");
    if (!root || !page.valid) return;
    root.hidden = false;
    Promise.all([loadEvents(), getJSON(page.api.types)]).then(function (results) {
      var explorer = new Explorer(root, { events: results[0].events, complete: results[0].complete,
        types: results[1] });
      window.chancery = explorer; // for the browser tests and curious readers
      return loadNames(page.actors).then(function () { explorer.start(); });
    }).catch(function (error) {
      document.getElementById("explore-status").textContent =
        "The time axis could not load (" + error.message + "); the list below has every event.";
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", main);
  else main();
})();
