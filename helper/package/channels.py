"""The complaint channels a draft is written for, and the two claims. Pure data: `witness draft` and `export`
list them as choices without loading the drafting code."""

CHANNELS = {
    "platform": "平台订单投诉 / 纠纷处理",
    "12315": "全国12315平台投诉",
    "heimao": "黑猫投诉",
    "payment": "支付渠道投诉（微信支付 / 支付宝）",
    "police": "报警材料（110 / 反诈）",
    "court": "网上小额诉讼起诉材料",
}
CLAIMS = {"refund": "全额退款", "perform": "强制履约"}
