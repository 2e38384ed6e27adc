(function () {
  var box = document.getElementById("orders");
  function load() {
    api("/api/orders").then(function (r) {
      box.innerHTML = "";
      if (!r.orders || !r.orders.length) { box.textContent = "No orders yet."; return; }
      r.orders.forEach(function (o) {
        var row = document.createElement("div"); row.className = "row"; row.setAttribute("data-order", o.out_trade_no);
        row.innerHTML = '<span><div></div><div class="muted"></div></span><span class="status"></span>';
        row.querySelector("div").textContent = o.summary;
        row.querySelector(".muted").textContent = yuan(o.total) + " · " + o.out_trade_no;
        var st = row.querySelector(".status"); st.textContent = o.status === "paid" ? "Paid" : "Awaiting payment";
        st.className = "status " + o.status; st.setAttribute("data-status", o.status);
        box.appendChild(row);
      });
      if (r.orders.some(function (o) { return o.status !== "paid"; })) setTimeout(load, 1000);
    });
  }
  load();
})();
