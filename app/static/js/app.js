// The desk's only script: canned replies and "also viewing" presence. No inline scripts (CSP).
(function () {
  "use strict";
  const csrf = document.querySelector('meta[name="csrf-token"]');

  document.querySelectorAll("select.canned-picker").forEach(function (picker) {
    picker.addEventListener("change", function () {
      const target = document.getElementById(picker.dataset.target);
      if (target && picker.value) {
        target.value = target.value ? target.value + "\n\n" + picker.value : picker.value;
        target.focus();
      }
      picker.value = "";
    });
  });

  const presence = document.getElementById("presence");
  if (presence && csrf) {
    const beat = function () {
      fetch(presence.dataset.url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrf.content, "Accept": "application/json" },
      })
        .then(function (r) { return r.ok ? r.json() : { viewers: [] }; })
        .then(function (data) {
          const names = data.viewers || [];
          presence.textContent = names.length ? "Also viewing: " + names.join(", ") : "";
          presence.classList.toggle("hidden", names.length === 0);
        })
        .catch(function () {});
    };
    beat();
    setInterval(beat, 10000);
  }
})();
