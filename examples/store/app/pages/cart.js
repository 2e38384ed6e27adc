(function () {
  var lines = document.getElementById("lines"), btn = document.getElementById("checkout");
  getCart().then(function (cart) {
    var total = 0;
    cart.forEach(function (l) {
      var p = product(l.id); if (!p) return;
      total += p.price * l.qty;
      var row = document.createElement("div"); row.className = "row"; row.setAttribute("data-line", l.id);
      row.innerHTML = "<span></span><span></span>";
      row.children[0].textContent = p.name + " × " + l.qty;
      row.children[1].textContent = yuan(p.price * l.qty);
      lines.appendChild(row);
    });
    document.getElementById("total").textContent = yuan(total);
    btn.disabled = total === 0;
    btn.addEventListener("click", function () {
      btn.disabled = true;
      api("/api/checkout", {items: cart}).then(function (r) {
        if (!r.payment) throw new Error(r.error || "checkout failed");
        return plaza.requestPayment(r.payment).then(function () { return r.order; });
      }).then(function () {
        return saveCart([]);
      }).then(function () {
        plaza.showToast({title: "Paid", icon: "success"});
        plaza.navigateTo({url: "/pages/orders"});
      }, function (e) {
        btn.disabled = false;
        plaza.showToast({title: (e && e.errMsg) || String(e), icon: "none"});
      });
    });
  });
})();
