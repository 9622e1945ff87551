// Chinese labels for the reasons trees. The server writes its reasons in English; the
// console shows them in Chinese when the shopper's merchandiser asks (the EN / 中文 switch).
// Product titles, brands and numbers stay as they are. Longest prefixes first.
"use strict";

const ZH_PREFIXES = [
  ["because you asked for more like", "因为你想看更多类似"],
  ["because you clicked the ad for", "因为你点击了广告"],
  ["because you put in the cart", "因为你加购了"],
  ["because you viewed", "因为你看过"],
  ["because you clicked", "因为你点击了"],
  ["because you bought", "因为你购买了"],
  ["because you rated", "因为你评价了"],
  ["co-behaviour (EASE)", "共同行为 (EASE)"],
  ["co-behaviour (item neighbours)", "共同行为 (相似商品)"],
  ["sequence: bought or viewed next by others", "序列：别人接下来买或看的"],
  ["sequence model (transformer over your recent products)", "序列模型 (你最近的商品)"],
  ["text similarity (too few shared baskets)", "文本相似 (共同购物篮太少)"],
  ["too few shared baskets: similar products", "共同购物篮太少：相似商品"],
  ["carted or bought in the same visit", "同一次访问中加购或购买"],
  ["new visitor: trending now", "新访客：当前热门"],
  ["query vector refined by the top products (feedback)", "用靠前商品修正查询向量 (反馈)"],
  ["query also read as", "查询也理解为"],
  ["query expansions", "查询扩展"],
  ["price paid per click (second price)", "每次点击实付 (第二价格)"],
  ["quality (relevance to the page)", "质量 (与页面的相关度)"],
  ["score = pctr × bid × quality", "得分 = 点击率 × 出价 × 质量"],
  ["bid per click", "每次点击出价"],
  ["pctr (ranker)", "预估点击率 (排序模型)"],
  ["pctr (historical CTR)", "预估点击率 (历史点击率)"],
  ["ad auction", "广告竞价"],
  ["targeting: keyword", "定向：关键词"],
  ["targeting: category", "定向：类目"],
  ["targeting", "定向"],
  ["campaign", "广告计划"],
  ["sponsored", "广告"],
  ["lexical (BM25F)", "词匹配 (BM25F)"],
  ["matched terms", "匹配的词"],
  ["semantic", "语义"],
  ["fusion", "融合"],
  ["search hit", "搜索结果"],
  ["retrieval rank", "召回排名"],
  ["ranker rank", "排序模型排名"],
  ["ranker weight", "排序模型权重"],
  ["ranker", "排序模型"],
  ["top features", "主要特征"],
  ["pCTR", "预估点击率"],
  ["pCVR", "预估转化率"],
  ["text similarity", "文本相似"],
  ["trending", "热门"],
  ["recommended", "推荐"],
  ["bought together", "一起购买"],
  ["similar", "相似"],
  ["filters", "筛选"],
  ["sorted by", "排序方式"],
  ["rank", "排名"],
  ["shop", "商店"],
  ["this visitor's own taste", "访客本人的口味"],
  ["this product", "这件商品"],
  ["its category path", "它的类目路径"],
  ["its category", "它的类目"],
  ["its department", "它的大类"],
  ["its brand", "它的品牌"],
  ["its price band", "它的价格段"],
  ["its language", "它的语言"],
  ["its click rate", "它的点击率"],
  ["its sales", "它的销量"],
  ["its price against the visitor's usual", "它的价格与访客常买价位之差"],
  ["its text similarity to the visitor's products", "它与访客商品的文本相似度"],
  ["how often it was shown", "它被展示的次数"],
  ["the visitor's affinity to its category", "访客对其类目的偏好"],
  ["the visitor's affinity to its brand", "访客对其品牌的偏好"],
  ["the visitor's affinity to its language", "访客对其语言的偏好"],
  ["the visitor's activity", "访客的活跃度"],
  ["the visitor's click rate", "访客的点击率"],
  ["the visitor's recent products", "访客最近的商品"],
  ["how the visitor met their recent products", "访客与最近商品的互动方式"],
  ["time since the visitor's last visit", "距访客上次来访的时间"],
  ["the device", "设备"],
  ["the hour of day", "时段"],
  ["the page", "页码"],
  ["like", "类似"],
];

/** The label in `lang` ("en" leaves it; "zh" translates a known prefix, keeps the rest). */
function translateLabel(label, lang) {
  if (lang !== "zh") return label;
  for (const [en, zh] of ZH_PREFIXES) {
    if (label === en) return zh;
    if (label.startsWith(en) && /^[\s:(]/.test(label.slice(en.length))) return zh + label.slice(en.length);
  }
  return label;
}

window.translateLabel = translateLabel;
