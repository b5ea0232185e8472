// charlm-check: the Validate button of the course's learner lab (`make lab`). Written by hand, no build step:
// a JupyterLab federated extension is a script that registers a container in window._JUPYTERLAB with
// init(shareScope) and get(module); JupyterLab's own modules (dialogs, the server connection) come from the
// share scope it passes to init, so this file bundles nothing.
//
// The button saves the notebook (when it has unsaved changes), asks the server (POST /charlm/check, tools/lab_server.py) to grade it as the
// course's grader will (grader/selfcheck.py: the same judge and sandbox, hidden tests included), and shows the
// answer as a short list: the points and how many graded tests fail, one line per failing test.
(function () {
  "use strict";
  var NAME = "charlm-check";
  var COMMAND = "charlm:check";
  var shared = null;

  function load(name) {
    var versions = shared && shared[name];
    if (!versions) {
      return Promise.reject(new Error(name + " is not in JupyterLab's share scope"));
    }
    var keys = Object.keys(versions).sort();
    return Promise.resolve(versions[keys[keys.length - 1]].get()).then(function (factory) { return factory(); });
  }

  function activate(app) {
    return Promise.all([load("@jupyterlab/apputils"), load("@jupyterlab/services"), load("@jupyterlab/coreutils"),
                        load("@lumino/widgets")]).then(function (mods) {
      var apputils = mods[0], services = mods[1], coreutils = mods[2], widgets = mods[3];
      var busy = {};  // paths being checked

      function current() {
        var widget = app.shell.currentWidget;
        return widget && widget.context && /\.ipynb$/.test(widget.context.path) ? widget : null;
      }

      function show(answer) {
        var body = document.createElement("div");
        body.className = "charlm-check-result";
        var summary = document.createElement("p");
        summary.style.fontWeight = "bold";
        summary.textContent = answer.summary;
        body.appendChild(summary);
        if (answer.lines && answer.lines.length) {
          var list = document.createElement("ul");
          answer.lines.forEach(function (line) {
            var item = document.createElement("li");
            item.textContent = line;
            list.appendChild(item);
          });
          body.appendChild(list);
        }
        return apputils.showDialog({title: answer.title, body: new widgets.Widget({node: body}),
                                    buttons: [apputils.Dialog.okButton({label: "OK"})]});
      }

      async function check() {
        var panel = current();
        if (!panel) {
          return;
        }
        var path = panel.context.path;
        busy[path] = true;
        app.commands.notifyCommandChanged(COMMAND);
        try {
          if (panel.context.model.dirty) {  // the check reads the saved file; an unchanged one is left as it is
            await panel.context.save();
          }
          var settings = services.ServerConnection.makeSettings();
          var response = await services.ServerConnection.makeRequest(
            coreutils.URLExt.join(settings.baseUrl, "charlm/check"),
            {method: "POST", body: JSON.stringify({path: path})}, settings);
          var answer = await response.json();
          if (!response.ok) {
            throw new Error(answer.message || response.statusText);
          }
          await show(answer);
        } catch (err) {
          await show({title: "Not checked", summary: String((err && err.message) || err), lines: []});
        } finally {
          delete busy[path];
          app.commands.notifyCommandChanged(COMMAND);
        }
      }

      app.commands.addCommand(COMMAND, {
        label: function () {
          var panel = current();
          return panel && busy[panel.context.path] ? "Validating..." : "Validate";
        },
        caption: "Grade this notebook as the course's grader will, hidden tests included (./check in a terminal)",
        isEnabled: function () {
          var panel = current();
          return !!panel && !busy[panel.context.path];
        },
        execute: check
      });
      app.docRegistry.addWidgetExtension("Notebook", {
        createNew: function (panel) {
          var button = new apputils.CommandToolbarButton({commands: app.commands, id: COMMAND});
          panel.toolbar.insertItem(10, "charlm-check", button);
          return button;
        }
      });
    });
  }

  var plugin = {
    id: NAME + ":plugin",
    description: "Validate: the course's self-check of the saved notebook",
    autoStart: true,
    activate: activate
  };

  var registry = window._JUPYTERLAB = window._JUPYTERLAB || {};
  registry[NAME] = {
    init: function (scope) { shared = scope; },
    get: function (module) {
      if (module !== "./extension") {
        return Promise.reject(new Error(NAME + " has no module " + module));
      }
      return Promise.resolve(function () { return {__esModule: true, "default": [plugin]}; });
    }
  };
})();
