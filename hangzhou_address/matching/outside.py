"""Names of places outside Hangzhou, used only to say "outside Hangzhou": China's provinces and
prefecture-level cities and Zhejiang's counties outside Hangzhou (GB/T 2260 names as redistributed with
cpca's adcodes table, MIT licence), and every county-level division of China outside Hangzhou
(:func:`outside_counties`, from ``data/divisions/china_counties_outside_hangzhou.csv``; provenance in
``data/README.md``)."""

from __future__ import annotations

import functools

from .normalize import normalize_key

__all__ = ["OUTSIDE_PROVINCES", "OUTSIDE_CITIES", "OUTSIDE_ZHEJIANG_COUNTIES", "outside_counties"]

OUTSIDE_PROVINCES = (
    "上海市 云南省 内蒙古自治区 北京市 台湾省 吉林省 四川省 天津市 宁夏回族自治区 安徽省 山东省 山西省 广东省 广西壮族自治区 新疆维吾尔自治区 江苏省 江西省 河北省 河南省 海南省 湖北省 "
    "湖南省 澳门特别行政区 甘肃省 福建省 西藏自治区 贵州省 辽宁省 重庆市 陕西省 青海省 香港特别行政区 黑龙江省 "
).split()
OUTSIDE_CITIES = (
    "七台河市 三亚市 三明市 三沙市 三门峡市 上饶市 东莞市 东营市 中卫市 中山市 临夏回族自治州 临汾市 临沂市 临沧市 丹东市 丽水市 丽江市 乌兰察布市 乌海市 乌鲁木齐市 乐山市 九江市 "
    "云浮市 亳州市 伊春市 伊犁哈萨克自治州 佛山市 佳木斯市 保定市 保山市 信阳市 儋州市 克孜勒苏柯尔克孜自治州 克拉玛依市 六安市 六盘水市 兰州市 兴安盟 内江市 凉山彝族自治州 包头市 北海市 "
    "十堰市 南京市 南充市 南宁市 南平市 南昌市 南通市 南阳市 博尔塔拉蒙古自治州 厦门市 双鸭山市 台州市 合肥市 吉安市 吉林市 吐鲁番市 吕梁市 吴忠市 周口市 呼伦贝尔市 呼和浩特市 和田地区 "
    "咸宁市 咸阳市 哈密市 哈尔滨市 唐山市 商丘市 商洛市 喀什地区 嘉兴市 嘉峪关市 四平市 固原市 塔城地区 大兴安岭地区 大同市 大庆市 大理白族自治州 大连市 天水市 太原市 威海市 娄底市 "
    "孝感市 宁德市 宁波市 安庆市 安康市 安阳市 安顺市 定西市 宜宾市 宜昌市 宜春市 宝鸡市 宣城市 宿州市 宿迁市 山南市 岳阳市 崇左市 巴中市 巴彦淖尔市 巴音郭楞蒙古自治州 常州市 常德市 "
    "平凉市 平顶山市 广元市 广安市 广州市 庆阳市 廊坊市 延安市 延边朝鲜族自治州 开封市 张家口市 张家界市 张掖市 徐州市 德宏傣族景颇族自治州 德州市 德阳市 忻州市 怀化市 怒江傈僳族自治州 "
    "恩施土家族苗族自治州 惠州市 成都市 扬州市 承德市 抚州市 抚顺市 拉萨市 揭阳市 攀枝花市 文山壮族苗族自治州 新乡市 新余市 无锡市 日喀则市 日照市 昆明市 昌吉回族自治州 昌都市 昭通市 "
    "晋中市 晋城市 普洱市 景德镇市 曲靖市 朔州市 朝阳市 本溪市 来宾市 松原市 林芝市 果洛藏族自治州 枣庄市 柳州市 株洲市 桂林市 梅州市 梧州市 楚雄彝族自治州 榆林市 武威市 武汉市 毕节市 "
    "永州市 汉中市 汕头市 汕尾市 江门市 池州市 沈阳市 沧州市 河池市 河源市 泉州市 泰安市 泰州市 泸州市 洛阳市 济南市 济宁市 海东市 海北藏族自治州 海南藏族自治州 海口市 "
    "海西蒙古族藏族自治州 淄博市 淮北市 淮南市 淮安市 深圳市 清远市 温州市 渭南市 湖州市 湘潭市 湘西土家族苗族自治州 湛江市 滁州市 滨州市 漯河市 漳州市 潍坊市 潮州市 濮阳市 烟台市 "
    "焦作市 牡丹江市 玉林市 玉树藏族自治州 玉溪市 珠海市 甘南藏族自治州 甘孜藏族自治州 白城市 白山市 白银市 百色市 益阳市 盐城市 盘锦市 眉山市 石嘴山市 石家庄市 福州市 秦皇岛市 "
    "红河哈尼族彝族自治州 绍兴市 绥化市 绵阳市 聊城市 肇庆市 自贡市 舟山市 芜湖市 苏州市 茂名市 荆州市 荆门市 莆田市 莱芜市 菏泽市 萍乡市 营口市 葫芦岛市 蚌埠市 衡水市 衡阳市 衢州市 "
    "襄阳市 西双版纳傣族自治州 西宁市 西安市 许昌市 贵港市 贵阳市 贺州市 资阳市 赣州市 赤峰市 辽源市 辽阳市 达州市 运城市 连云港市 迪庆藏族自治州 通化市 通辽市 遂宁市 遵义市 邢台市 "
    "那曲地区 邯郸市 邵阳市 郑州市 郴州市 鄂尔多斯市 鄂州市 酒泉市 金华市 金昌市 钦州市 铁岭市 铜仁市 铜川市 铜陵市 银川市 锡林郭勒盟 锦州市 镇江市 长春市 长沙市 长治市 阜新市 阜阳市 "
    "防城港市 阳江市 阳泉市 阿克苏地区 阿勒泰地区 阿坝藏族羌族自治州 阿拉善盟 阿里地区 陇南市 随州市 雅安市 青岛市 鞍山市 韶关市 马鞍山市 驻马店市 鸡西市 鹤壁市 鹤岗市 鹰潭市 黄冈市 "
    "黄南藏族自治州 黄山市 黄石市 黑河市 黔东南苗族侗族自治州 黔南布依族苗族自治州 黔西南布依族苗族自治州 齐齐哈尔市 龙岩市 "
).split()
OUTSIDE_ZHEJIANG_COUNTIES = (
    "三门县 上虞区 东阳市 临海市 义乌市 乐清市 云和县 仙居县 余姚市 兰溪市 北仑区 南浔区 南湖区 吴兴区 嘉善县 天台县 奉化市 婺城区 宁海县 安吉县 定海区 岱山县 嵊州市 嵊泗县 常山县 "
    "平湖市 平阳县 庆元县 开化县 德清县 慈溪市 文成县 新昌县 普陀区 景宁畲族自治县 松阳县 柯城区 柯桥区 桐乡市 椒江区 武义县 永嘉县 永康市 江东区 江北区 江山市 泰顺县 洞头区 浦江县 "
    "海宁市 海曙区 海盐县 温岭市 玉环县 瑞安市 瓯海区 磐安县 秀洲区 缙云县 苍南县 莲都区 衢江区 诸暨市 象山县 越城区 路桥区 遂昌县 鄞州区 金东区 镇海区 长兴县 青田县 鹿城区 黄岩区 "
    "龙泉市 龙游县 龙湾区 "
).split()


@functools.lru_cache(maxsize=1)
def outside_counties() -> dict[str, str]:
    """County-level divisions of China outside Hangzhou (``data/divisions/china_counties_outside_hangzhou.csv``,
    provenance in ``data/README.md``): normalized full name -> where it is (``重庆市``, ``江苏省南京市、福建省福州市``,
    ``7 other cities``)."""
    import csv

    from .._datapath import data_dir

    places: dict[str, list[str]] = {}
    with open(data_dir() / "divisions" / "china_counties_outside_hangzhou.csv", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            name = row["name"]
            if len(name) < 3 and not name.endswith("县"):  # 城区, 郊区, 东区 are words too; 渠县, 沛县 are not
                continue
            prov, city = row["province"], row["city"]
            where = prov if city == prov else prov + city
            got = places.setdefault(normalize_key(name), [])
            if where not in got:
                got.append(where)
    return {k: "、".join(v) if len(v) <= 2 else f"{len(v)} other cities" for k, v in places.items()}
