/* The attribution workbench, enhanced: chosen techniques and software become removable
   chips, and every change is assessed at once through POST /api/attribute (the session
   cookie authenticates it; the browser sends the Origin header the API asks for).
   Without this script the form posts to /attribution and the server draws the result. */
(function () {
  "use strict";

  var form = document.getElementById("workbench");
  if (!form) {
    return;
  }
  var TECHNIQUE = /^T\d{4}(\.\d{3})?$/i;
  var problem = document.getElementById("workbench-problem");
  var status = document.getElementById("workbench-status");
  var target = document.getElementById("hypotheses");
  var saved = document.getElementById("saved");
  var latest = null; // the newest answer of the API, for the layer download
  var timer = null;
  var asked = 0; // answers to older questions are dropped

  function say(text) {
    problem.textContent = text;
    problem.hidden = !text;
  }

  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) {
      node.textContent = String(text);
    }
    if (className) {
      node.className = className;
    }
    return node;
  }

  /* ---- pickers: a text input with a datalist, and the chips of what was chosen ---- */

  function Picker(root) {
    this.name = root.getAttribute("data-picker");
    this.input = root.querySelector("input[list]");
    this.add = root.querySelector(".picker-add");
    this.chips = root.querySelector(".chips");
    this.options = {}; // upper-case value -> {value, label}
    this.byName = {}; // lower-case name -> value
    var list = document.getElementById(this.input.getAttribute("list"));
    var items = list ? list.options : [];
    for (var i = 0; i < items.length; i++) {
      var value = items[i].value;
      var label = items[i].textContent || value;
      this.options[value.toUpperCase()] = { value: value, label: label };
      this.byName[label.slice(value.length).trim().toLowerCase()] = value;
    }
    var initial = this.input.value;
    this.input.removeAttribute("name"); // the chips' hidden inputs carry the values now
    this.input.value = "";
    this.add.hidden = false;
    var self = this;
    initial.split(/[,\n]/).forEach(function (part) {
      self.choose(part, true);
    });
    this.input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault();
        self.commit();
      } else if (event.key === "Backspace" && !self.input.value) {
        var last = self.chips.lastElementChild;
        if (last) {
          self.remove(last);
        }
      }
    });
    this.input.addEventListener("input", function (event) {
      // a pick from the datalist arrives whole: take it at once
      var picked = !event.inputType || event.inputType === "insertReplacementText";
      if (picked && self.options[self.input.value.trim().toUpperCase()]) {
        self.commit();
      }
    });
    this.add.addEventListener("click", function () {
      self.commit();
      self.input.focus();
    });
  }

  Picker.prototype.values = function () {
    var found = [];
    var hidden = this.chips.querySelectorAll("input[type=hidden]");
    for (var i = 0; i < hidden.length; i++) {
      found.push(hidden[i].value);
    }
    return found;
  };

  /* The typed text as chips; false (and a message) when a part cannot be one. */
  Picker.prototype.commit = function () {
    var parts = this.input.value.split(/[,\n]/);
    var left = [];
    for (var i = 0; i < parts.length; i++) {
      if (parts[i].trim() && !this.choose(parts[i], false)) {
        left.push(parts[i].trim());
      }
    }
    this.input.value = left.join(", ");
    return left.length === 0;
  };

  Picker.prototype.choose = function (text, quiet) {
    var value = text.trim();
    if (!value) {
      return true;
    }
    var known = this.options[value.toUpperCase()];
    var named = this.byName[value.toLowerCase()];
    if (known) {
      value = known.value;
    } else if (named) {
      value = named;
      known = this.options[value.toUpperCase()];
    } else if (/^S\d{4}$/i.test(value) || TECHNIQUE.test(value)) {
      value = value.toUpperCase();
    }
    if (this.name === "techniques" && !TECHNIQUE.test(value)) {
      if (!quiet) {
        say(value + " is not an ATT&CK technique id (T1234 or T1234.001) or a known name.");
      }
      return false;
    }
    if (this.values().indexOf(value) >= 0) {
      return true;
    }
    var label = known ? known.label : value;
    var chip = el("li", null, "chip");
    chip.appendChild(el("span", label));
    var remove = el("button", "\u00d7", "chip-remove");
    remove.type = "button";
    remove.setAttribute("aria-label", "Remove " + label);
    var self = this;
    remove.addEventListener("click", function () {
      self.remove(chip);
      self.input.focus();
    });
    chip.appendChild(remove);
    var hidden = el("input");
    hidden.type = "hidden";
    hidden.name = this.name;
    hidden.value = value;
    chip.appendChild(hidden);
    this.chips.appendChild(chip);
    say("");
    if (!quiet) {
      changed();
    }
    return true;
  };

  Picker.prototype.remove = function (chip) {
    chip.parentNode.removeChild(chip);
    changed();
  };

  var pickers = {};
  var roots = form.querySelectorAll("[data-picker]");
  for (var r = 0; r < roots.length; r++) {
    var picker = new Picker(roots[r]);
    pickers[picker.name] = picker;
  }

  /* ---- the evidence JSON, as the CLI and the API take it ---- */

  function list(id) {
    return document
      .getElementById(id)
      .value.split(/[,\n]/)
      .map(function (part) {
        return part.trim();
      })
      .filter(Boolean);
  }

  function evidence() {
    var grade = document.getElementById("reliability").value;
    function graded(values) {
      return values.map(function (value) {
        return grade ? { id: value, reliability: grade } : value;
      });
    }
    var data = {
      techniques: graded(pickers.techniques.values()),
      software: graded(pickers.software.values()),
    };
    var countries = list("victim-countries");
    var sectors = list("victim-sectors");
    if (countries.length || sectors.length) {
      data.victims = { countries: countries, sectors: sectors };
    }
    var times = list("timestamps");
    if (times.length) {
      data.timestamps = times;
    }
    var incident = document.getElementById("incident").value;
    if (incident) {
      data.incident = incident;
    }
    return data;
  }

  function empty(data) {
    return (
      !data.techniques.length &&
      !data.software.length &&
      !data.victims &&
      !data.timestamps
    );
  }

  /* ---- asking the API ---- */

  /* What the API would refuse in the times given, said before asking it. */
  function badTime(times) {
    for (var i = 0; i < times.length; i++) {
      var zoned = /(Z|[+-]\d\d:?\d\d)$/i.test(times[i]);
      if (!zoned || isNaN(Date.parse(times[i]))) {
        return times[i] + " is not an RFC 3339 time with a zone (2024-03-05T07:00:00Z).";
      }
    }
    return "";
  }

  function ask(save) {
    var data = evidence();
    var wrong = badTime(data.timestamps || []);
    if (wrong) {
      say(wrong);
      return Promise.resolve(null);
    }
    if (empty(data)) {
      latest = null;
      target.replaceChildren(el("p", "Choose evidence and assess: the hypotheses appear here.", "empty"));
      status.textContent = "";
      return Promise.resolve(null);
    }
    var mine = ++asked;
    var query = "save=" + (save ? "true" : "false") + "&layer=true&top=5";
    status.textContent = save ? "Saving the assessment\u2026" : "Assessing\u2026";
    return fetch("/api/attribute?" + query, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(data),
    })
      .then(function (response) {
        return response.json().then(function (body) {
          return { ok: response.ok, body: body };
        });
      })
      .then(function (answer) {
        if (mine !== asked) {
          return null;
        }
        if (!answer.ok) {
          say(answer.body.message || "The assessment failed.");
          status.textContent = "";
          return null;
        }
        say("");
        latest = answer.body;
        draw(latest);
        return latest;
      })
      .catch(function () {
        say("The node did not answer; try again.");
        status.textContent = "";
        return null;
      });
  }

  function changed() {
    latest = null;
    saved.hidden = true;
    window.clearTimeout(timer);
    timer = window.setTimeout(function () {
      ask(false);
    }, 300);
  }

  /* ---- drawing the answer (the same markup as attribution.html) ---- */

  function percent(p) {
    return Math.round(p * 100) + " %";
  }

  function signed(weight) {
    return (weight >= 0 ? "+" : "") + weight.toFixed(2);
  }

  function cell(tag, text, className, scope) {
    var node = el(tag, text, className);
    if (scope) {
      node.scope = scope;
    }
    return node;
  }

  function table(id, caption, headings) {
    var wrap = el("div", null, "table-wrap");
    var t = el("table", null, "list");
    t.id = id;
    t.appendChild(el("caption", caption, "muted small"));
    var head = el("tr");
    headings.forEach(function (h) {
      head.appendChild(cell("th", h[0], h[1], "col"));
    });
    t.appendChild(el("thead")).appendChild(head);
    wrap.appendChild(t);
    return { wrap: wrap, body: t.appendChild(el("tbody")), table: t };
  }

  function draw(result) {
    var out = [];
    var confidence = el("p", "Confidence: ");
    confidence.id = "confidence";
    confidence.appendChild(el("strong", result.confidence));
    if (result.confidence_reasons.length) {
      confidence.appendChild(document.createTextNode(" "));
      confidence.appendChild(el("span", "(" + result.confidence_reasons.join("; ") + ")", "small muted"));
    }
    out.push(confidence);

    var ranked = table(
      "hypothesis-table",
      "The leading hypotheses, most probable first; each item's contribution in nats (positive: for, negative: against).",
      [["Actor"], ["Judgement (ICD 203)"], ["Probability", "n"], ["What the evidence contributes"]]
    );
    result.hypotheses.forEach(function (h) {
      var row = el("tr");
      var actor = cell("th", null, null, "row");
      if (h.url && /^https?:\/\//i.test(h.url)) {  // a web address only, never javascript:
        var link = el("a", h.actor.name);
        link.href = h.url;
        actor.appendChild(link);
      } else {
        actor.appendChild(document.createTextNode(h.actor.name));
      }
      if (h.actor.attack_id) {
        actor.appendChild(document.createTextNode(" "));
        actor.appendChild(el("span", h.actor.attack_id, "badge"));
      }
      if (h.origin) {
        actor.appendChild(document.createTextNode(" "));
        actor.appendChild(el("span", "from " + h.origin, "small muted"));
      }
      row.appendChild(actor);
      row.appendChild(el("td", h.term));
      row.appendChild(el("td", percent(h.probability), "n"));
      var parts = el("td");
      if (h.contributions.length) {
        var items = el("ul", null, "plain small");
        h.contributions.forEach(function (c) {
          items.appendChild(el("li", c.evidence + ": " + signed(c.weight)));
        });
        parts.appendChild(items);
      } else {
        parts.appendChild(el("span", "nothing", "muted"));
      }
      row.appendChild(parts);
      ranked.body.appendChild(row);
    });
    var unknown = el("tr");
    unknown.appendChild(cell("th", "an unknown actor", null, "row"));
    unknown.appendChild(el("td", result.unknown_term));
    unknown.appendChild(el("td", percent(result.unknown_probability), "n"));
    unknown.appendChild(el("td"));
    ranked.body.appendChild(unknown);
    out.push(ranked.wrap);

    if (result.indistinguishable.length) {
      var tie = el("p");
      tie.id = "indistinguishable";
      tie.appendChild(el("strong", "Cannot be told apart"));
      tie.appendChild(document.createTextNode(" with this evidence: " + result.indistinguishable.join(", ") + "."));
      out.push(tie);
    }
    if (result.unrecognised.length) {
      out.push(el("h3", "Not recognised"));
      var unrecognised = el("ul", null, "small");
      result.unrecognised.forEach(function (text) {
        unrecognised.appendChild(el("li", text));
      });
      out.push(unrecognised);
    }
    if (result.flags.length) {
      out.push(el("h3", "Flags"));
      var flags = el("ul");
      flags.id = "flags";
      result.flags.forEach(function (flag) {
        var item = el("li");
        item.appendChild(el("span", flag.kind, "badge"));
        item.appendChild(document.createTextNode(" " + flag.detail));
        flags.appendChild(item);
      });
      out.push(flags);
    }
    if (result.ach.length) {
      var names = result.hypotheses.map(function (h) {
        return h.actor.name;
      });
      out.push(el("h3", "Analysis of competing hypotheses"));
      var headings = [["Evidence"]].concat(names.map(function (n) { return [n]; }), [["Diagnosticity"]]);
      var ach = table(
        "ach",
        "Each item of evidence against the leading hypotheses; diagnosticity says how well it tells them apart.",
        headings
      );
      ach.table.className = "list ach";
      result.ach.forEach(function (row) {
        var tr = el("tr");
        tr.appendChild(cell("th", row.evidence, null, "row"));
        names.forEach(function (name) {
          var verdict = row.hypotheses[name] || "neutral";
          tr.appendChild(el("td", verdict, "ach-" + verdict));
        });
        tr.appendChild(el("td", row.diagnosticity));
        ach.body.appendChild(tr);
      });
      out.push(ach.wrap);
    }
    target.replaceChildren.apply(target, out);
    var lead = result.hypotheses[0];
    status.textContent = lead ? "Leading hypothesis: " + lead.actor.name + " (" + lead.term + ")." : "";
  }

  /* ---- the buttons ---- */

  function download(layer) {
    var blob = new Blob([JSON.stringify(layer, null, 2)], { type: "application/json" });
    var url = URL.createObjectURL(blob);
    var link = el("a");
    link.href = url;
    link.download = "accord-layer.json";
    document.body.appendChild(link);
    link.click();
    document.body.removeChild(link);
    window.setTimeout(function () {
      URL.revokeObjectURL(url);
    }, 1000);
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var action = event.submitter ? event.submitter.value : "assess";
    for (var name in pickers) {
      if (!pickers[name].commit()) {
        return; // what is left cannot be a chip; the message says why
      }
    }
    window.clearTimeout(timer);
    if (empty(evidence())) {
      say("Give at least one technique, piece of software, victim or time of activity.");
      return;
    }
    if (action === "layer") {
      (latest ? Promise.resolve(latest) : ask(false)).then(function (result) {
        if (result && result.navigator_layer) {
          download(result.navigator_layer);
        }
      });
    } else if (action === "save") {
      ask(true).then(function (result) {
        if (result && result.report) {
          var link = el("a", result.report);
          link.href = "/intel/" + result.report;
          saved.replaceChildren(document.createTextNode("Assessment stored: "), link);
          saved.hidden = false;
          status.textContent = "Assessment stored.";
        }
      });
    } else {
      ask(false);
    }
  });

  ["victim-countries", "victim-sectors", "timestamps", "reliability", "incident"].forEach(function (id) {
    document.getElementById(id).addEventListener("change", changed);
  });

  if (!empty(evidence()) && !document.getElementById("hypothesis-table")) {
    changed();
  }
})();
