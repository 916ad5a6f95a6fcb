// Organization admin: "select everyone on this page" for the people list, and
// the bulk bar shows only the field the chosen action needs. The page works without it.
(function () {
  "use strict";
  var all = document.getElementById("select-all");
  if (all) {
    var boxes = document.querySelectorAll(".select-person");
    all.hidden = false;
    all.addEventListener("change", function () {
      boxes.forEach(function (box) { box.checked = all.checked; });
    });
  }
  var action = document.getElementById("bulk_action");
  if (action) {
    var needs = { move: "bulk_team", layer: "bulk_layer", manager: "bulk_manager_email", invite: "bulk_role" };
    var fields = ["bulk_team", "bulk_layer", "bulk_manager_email", "bulk_role"].map(function (id) { return document.getElementById(id); });
    var sync = function () {
      fields.forEach(function (field) {
        if (field) { field.hidden = needs[action.value] !== field.id; }
      });
    };
    action.addEventListener("change", sync);
    sync();
  }
})();
