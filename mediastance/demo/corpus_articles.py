"""Texts of the demo corpus, read by make_corpus.py.

Every text here was written for the mediastance project (2026-11-28). The events are real
and public; the articles, the outlets, the bylines and most of the wording of quotes are
fictional. Two short quotations are kept because the project's own test case is about them:
Alibaba's English line "a step in the wrong direction and regrettable" and its Chinese line
that the coalition had been 被个别企业的私利绑架, as widely reported in May 2016.

One dict per page: path (also decides the language), story (a key of STORIES), outlet (a
key of make_corpus.OUTLETS), feed (en | zh | newsroom), author, published (ISO 8601),
title, body (paragraphs separated by blank lines), and optionally charset (utf-8 | gbk |
gb2312 | big5), date_style (meta | jsonld), duplicate_of (path of the original: the body is
copied from it), relevant (False for the off-topic page).
"""

STORIES: dict[str, str] = {
    "iacc-2016": "IACC suspends Alibaba's membership after brands protest (May 2016)",
    "saic-2015": "SAIC white paper on fakes on Taobao; Alibaba disputes it (Jan 2015)",
    "kering-2017": "Kering drops its New York lawsuit against Alibaba (Aug 2017)",
    "pdd-2018": "Pinduoduo fakes uproar after its IPO; regulator summons (Jul-Aug 2018)",
    "amazon-ccu-2020": "Amazon launches its Counterfeit Crimes Unit (Jun 2020)",
    "ustr-taobao-2016": "USTR puts Taobao back on the Notorious Markets list (Dec 2016)",
    "ustr-pdd-2020": "USTR adds Pinduoduo to the Notorious Markets list (Apr 2020)",
    "jd-2017": "JD.com anti-counterfeiting alliance and lawsuit against a fake seller (Jun 2017)",
    # same-company, same-day distractors: each its own story
    "alibaba-earnings-2016-05": "Distractor: analysts react to Alibaba's March-quarter results",
    "amazon-logistics-2020-06": "Distractor: Amazon expands its delivery network",
    "pdd-shares-2018-08": "Distractor: Pinduoduo's share price in its first trading week",
    "jd-618-2017": "Distractor: JD.com's 618 shopping festival",
    "off-topic": "Off-topic: West Coast port volumes (no topic keywords)",
}

ARTICLES: list[dict] = []

# ---------------------------------------------------------------- iacc-2016
ARTICLES += [
    dict(
        path="/en/2016/05/iacc-suspends-alibaba.html",
        story="iacc-2016",
        outlet="ptw",
        feed="en",
        author="Daniel Okafor",
        published="2016-05-13T14:20:00Z",
        title="Anti-counterfeiting group suspends Alibaba weeks after letting it in",
        body="""
The International AntiCounterfeiting Coalition (IACC) on Friday suspended Alibaba Group's
membership, less than a month after admitting the Chinese e-commerce company, following
protests from Michael Kors, Gucci and Tiffany.

The Washington-based coalition said its board had voted to suspend the new membership
category under which Alibaba had joined, and that it would review how the category had
been created. "We have heard our members loud and clear," IACC president Robert Barchiesi
said in a statement. "The coalition's strength depends on the trust of the brands that
founded it."

Alibaba's admission in April had split the group. Michael Kors quit in protest, saying it
could not sit on the same side of the table as a company whose Taobao marketplace it saw
as a major channel for counterfeit handbags. Gucci, part of the Kering group, which is
suing Alibaba in New York over fakes, also resigned, according to people familiar with the
matter, and Tiffany said it had raised objections with the board.

Alibaba called the decision regrettable. "We believe the IACC's decision is a step in the
wrong direction and regrettable," Jennifer Kuperman, Alibaba's head of international
corporate communications, said in an emailed statement. She said the company would keep
working with brands, with or without the coalition.

Alibaba has spent years defending itself against claims that fakes are rife on Taobao. The
company says it removed hundreds of millions of suspicious listings last year and that it
works with police across China to shut down factories that make counterfeit goods.

Critics say that is not enough. "Joining an association is not the same as fixing the
problem," said a lawyer who represents several luxury brands in trademark cases, who asked
not to be named because the cases are pending.

The coalition said members that had resigned in protest were welcome to return.
""",
    ),
    dict(
        path="/en/2016/05/alibaba-statement-iacc-decision.html",
        story="iacc-2016",
        outlet="ali-news",
        feed="newsroom",
        author="Alibaba Group Corporate Affairs",
        published="2016-05-13T18:05:00Z",
        date_style="jsonld",
        title="Alibaba Group statement on the IACC membership decision",
        body="""
Alibaba Group today issued the following statement on the decision of the International
AntiCounterfeiting Coalition to suspend its membership.

"We believe the IACC's decision is a step in the wrong direction and regrettable," said
Jennifer Kuperman, head of international corporate communications at Alibaba Group.

"Protecting intellectual property is a responsibility we share with rights holders. Our
commitment to fighting counterfeits does not depend on membership of any organisation, and
we will continue to work with brands, industry associations and law enforcement around the
world," she said.

The company said its platform governance teams and its online complaint system for rights
holders would continue to operate as before, and that brands that want to work with it
remain welcome to do so.
""",
    ),
    dict(
        path="/en/2016/05/iacc-board-suspends-new-category.html",
        story="iacc-2016",
        outlet="iacc-news",
        feed="newsroom",
        author="IACC Communications",
        published="2016-05-13T20:30:00Z",
        title="IACC board suspends e-commerce membership category",
        body="""
The Board of Directors of the International AntiCounterfeiting Coalition today voted to
suspend the membership category created earlier this year for online marketplaces, along
with the memberships granted under it, including that of Alibaba Group.

"The IACC exists to serve brand owners who are fighting counterfeiting and piracy every
day," said IACC president Robert Barchiesi. "Several of our members told us that this
category was created without enough consultation. We have listened, and we will take the
time to get it right."

Barchiesi said the coalition would continue its existing programme with online platforms,
under which rights holders can report listings of counterfeit goods through a single
channel. "That work has removed a great many fakes and it will go on," he said.

The board said it would consult members over the coming months before deciding whether the
category should be reinstated.
""",
    ),
    dict(
        path="/en/2016/05/luxury-brands-win-iacc-fight.html",
        story="iacc-2016",
        outlet="ledger",
        feed="en",
        author="Meredith Sloane",
        published="2016-05-14T09:10:00Z",
        title="How luxury brands forced the anti-fake coalition to drop Alibaba",
        body="""
It took less than four weeks for the luxury industry to reverse the International
AntiCounterfeiting Coalition's decision to admit Alibaba. On Friday the IACC suspended the
Chinese company's membership after Michael Kors, Gucci and Tiffany made clear they would
not stay in a coalition that counted Alibaba as a member.

For the brands, the argument was simple. "You do not invite the landlord of the market to
chair the neighbourhood watch," said a brand-protection executive at a European fashion
house, describing the mood among members. Several said Taobao still hosts large numbers of
counterfeit handbags, watches and jewellery despite the company's takedown programmes.

Robert Barchiesi, the IACC's president, had defended the decision to admit Alibaba in
April, saying it was better to have platforms inside the tent. On Friday he struck a
different note, saying the board had "heard our members loud and clear."

Alibaba called the reversal "a step in the wrong direction and regrettable", according to
a statement from its head of international corporate communications, Jennifer Kuperman.
The company's tone in English was measured; it said it would keep cooperating with brands.

Kering, which owns Gucci and Yves Saint Laurent, has been suing Alibaba in federal court in
New York since last year, accusing it of knowingly profiting from the sale of fakes.
Alibaba denies the claims.

The episode has raised questions about the IACC's governance, and about whether any
industry body can bridge the gap between Western brands and Chinese platforms. "The fight
against fakes needs the platforms," said a trademark lawyer in New York. "But the brands
want to see results before handshakes."
""",
    ),
    dict(
        path="/en/2016/05/alibaba-chinese-statement-harsher.html",
        story="iacc-2016",
        outlet="hbd",
        feed="en",
        author="Vivian Ho",
        published="2016-05-16T03:30:00Z",
        title="Alibaba's two voices: measured in English, scathing in Chinese over IACC snub",
        body="""
Alibaba Group's response to its suspension from the International AntiCounterfeiting
Coalition read very differently depending on which language you read it in.

In English, the company said the IACC's decision was "a step in the wrong direction and
regrettable", a line attributed to Jennifer Kuperman, its head of international corporate
communications.

The Chinese-language statement, posted on the company's official accounts, was far
sharper. It said the coalition had been "kidnapped by the personal interests of some
individual enterprises", and suggested that certain brands were more interested in
pressuring Alibaba than in fighting counterfeits.

Chinese media went further. Several commentaries described the episode as humiliating for
Alibaba, and one mainland business site said the company had been "shamed" in front of the
global industry, while others blamed the foreign brands for what they called double
standards.

Analysts in Hong Kong said the split reflected two audiences. "In English, Alibaba is
talking to investors and Western partners. In Chinese, it is talking to a domestic public
that sees this as foreigners ganging up on a national champion," said a media analyst at a
Hong Kong university.

The IACC said on Friday that its board had suspended the membership category under which
Alibaba joined and would consult members before deciding its future.
""",
    ),
    dict(
        path="/en/2016/05/alibaba-ousted-from-fake-fighting-group.html",
        story="iacc-2016",
        outlet="metro",
        feed="en",
        author="Daniel Okafor",
        published="2016-05-15T11:00:00Z",
        duplicate_of="/en/2016/05/iacc-suspends-alibaba.html",
        title="Alibaba ousted from anti-counterfeiting coalition after brand revolt",
        body="",
    ),
    dict(
        path="/zh/2016/05/iacc-zanting-alibaba-huiji.html",
        story="iacc-2016",
        outlet="hsc",
        feed="zh",
        author="周敏",
        published="2016-05-14T10:00:00+08:00",
        title="国际反假冒联盟暂停阿里巴巴会员资格 阿里称联盟被私利绑架",
        body="""
国际反假冒联盟（IACC）当地时间13日宣布，暂停阿里巴巴集团的会员资格。距离阿里巴巴加入该联盟还不到一个月。

据外媒报道，迈克高仕（Michael Kors）、古驰（Gucci）和蒂芙尼等品牌此前对阿里巴巴入盟表示强烈反对，迈克高仕更是以退出联盟表示抗议。

IACC主席罗伯特·巴尔基耶西（Robert Barchiesi）在声明中说，联盟“清楚地听到了会员的声音”，董事会决定暂停为电商平台设立的新会员类别，并将重新评估。

对此，阿里巴巴在中文声明中措辞强硬。阿里巴巴称，国际反假冒联盟已经“被个别企业的私利绑架”，这一决定“令人遗憾”，但阿里巴巴打假的决心不会因此改变。

阿里巴巴表示，过去一年平台主动删除了大量涉嫌售假的商品链接，并配合各地公安机关打击假货生产源头。“打假不是做给谁看的，我们会继续和真正愿意解决问题的品牌合作。”

业内人士认为，此事反映出国际品牌与中国电商平台之间的互信仍然不足。一位知识产权律师表示，平台和品牌本应是打假的盟友，“互相指责只会让售假者得利”。
""",
    ),
    dict(
        path="/zh/2016/05/alibaba-guanyu-iacc-shengming.html",
        story="iacc-2016",
        outlet="ali-news-zh",
        feed="newsroom",
        author="阿里巴巴集团公共事务部",
        published="2016-05-14T09:30:00+08:00",
        date_style="jsonld",
        title="阿里巴巴集团关于国际反假冒联盟暂停会员资格的声明",
        body="""
针对国际反假冒联盟（IACC）暂停阿里巴巴集团会员资格一事，阿里巴巴集团发表声明如下。

阿里巴巴集团在声明中说：“我们遗憾地看到，一个以打击假冒为宗旨的国际组织，已经被个别企业的私利绑架。这不仅是对阿里巴巴的不公，也是对全球打假事业的伤害。”

声明称，阿里巴巴加入IACC是为了与全球品牌共同打假，“我们从来不需要一个会员身份来证明打假的决心”。

阿里巴巴表示，将继续通过知识产权保护平台与品牌权利人合作，继续配合执法机关追查假货源头，“无论在不在这个联盟里，阿里巴巴打假的行动都不会停止”。
""",
    ),
    dict(
        path="/zh/2016/05/alibaba-bei-zhuchu-fanjiamao-lianmeng.html",
        story="iacc-2016",
        outlet="dfjj",
        feed="zh",
        author="高远",
        published="2016-05-15T08:40:00+08:00",
        title="评论：被反假冒联盟“请出门” 阿里蒙羞背后的屈辱与反思",
        body="""
入盟不足一个月即被暂停会员资格，阿里巴巴这次在国际反假冒联盟（IACC）的遭遇，被不少业内人士形容为一次“屈辱”的经历。

事情的起因是，迈克高仕、古驰等奢侈品牌对阿里巴巴加入联盟强烈不满。古驰母公司开云集团至今仍在美国纽约起诉阿里巴巴，指其平台纵容售假。在品牌的集体施压下，IACC董事会最终让步。

阿里巴巴在中文声明中称，IACC已经“被个别企业的私利绑架”。这句话在社交媒体上获得大量转发，不少网友认为，外国品牌对中国平台存在双重标准。

但也有声音认为，阿里巴巴不应只把矛头指向外部。一位长期研究电商治理的学者表示：“淘宝上的假货问题是真实存在的，平台蒙羞，根源在于售假没有被根治。”

值得注意的是，阿里巴巴的英文声明语气明显温和，只说这一决定是“错误方向上的一步，令人遗憾”。有评论指出，同一件事对内对外两种口径，本身就说明阿里巴巴面临的舆论压力有多大。

对于中国电商企业而言，这次风波是一个提醒：要赢得国际品牌的信任，靠的不是加入哪个组织，而是拿出看得见的打假成效。
""",
    ),
    dict(
        path="/zh/2016/05/iacc-zanting-alibaba-huiji-hk.html",
        story="iacc-2016",
        outlet="gwcj",
        feed="zh",
        author="陳家豪",
        published="2016-05-14T12:15:00+08:00",
        charset="big5",
        title="國際反假冒聯盟暫停阿里巴巴會籍 品牌施壓奏效",
        body="""
總部設於華盛頓的國際反假冒聯盟（IACC）周五宣布，暫停阿里巴巴的會員資格。阿里巴巴上月才獲准加入，事件前後不足一個月。

消息指出，時裝品牌Michael Kors、古馳（Gucci）及Tiffany等會員早前強烈反對阿里入盟，其中Michael Kors更宣布退出聯盟以示抗議。

IACC主席Robert Barchiesi在聲明中表示：「我們清楚聽到了會員的意見。」他稱董事會將重新檢討新設立的電商會員類別。

阿里巴巴在中文聲明中批評，聯盟已經「被個別企業的私利綁架」；其英文聲明則只稱決定「令人遺憾」，語氣溫和得多。

有本港知識產權律師認為，淘寶長期被指充斥假貨，品牌對阿里的不信任由來已久，「這次風波對阿里的國際形象無疑是一次打擊」。

阿里巴巴股價周五在紐約收市微跌。分析員指，事件對公司業務的直接影響有限，但假貨問題仍是投資者關注的風險。
""",
    ),
]

# ---------------------------------------------------------------- distractor: Alibaba earnings
ARTICLES += [
    dict(
        path="/en/2016/05/alibaba-shares-analysts-raise-targets.html",
        story="alibaba-earnings-2016-05",
        outlet="ledger",
        feed="en",
        author="Tom Whitcombe",
        published="2016-05-13T16:45:00Z",
        title="Alibaba shares climb as analysts raise targets on mobile growth",
        body="""
Alibaba Group shares rose on Friday after several brokerages raised their price targets,
saying the company's latest quarterly results showed it was turning mobile shoppers into
advertising revenue faster than expected.

Revenue for the March quarter grew 39 percent from a year earlier, and mobile now accounts
for the majority of gross merchandise volume on its China retail marketplaces, the company
said when it reported results last week.

"Monetisation on mobile has caught up with desktop sooner than we modelled," an analyst at
a Hong Kong brokerage wrote in a note to clients. Another said the cloud computing unit
could become a second growth engine within three years.

Chief financial officer Maggie Wu said on the earnings call that the company would keep
investing in logistics through its affiliate Cainiao and in rural e-commerce.

Some investors remain cautious about the company's accounting disclosures and about
regulatory scrutiny of counterfeit goods on its platforms, which analysts said had little
visible effect on this quarter's numbers.

The stock has gained about 8 percent since the results were released.
""",
    ),
    dict(
        path="/zh/2016/05/alibaba-gujia-zoudi-fenxishi.html",
        story="alibaba-earnings-2016-05",
        outlet="kjq",
        feed="zh",
        author="刘畅",
        published="2016-05-13T11:00:00+08:00",
        title="阿里巴巴季度财报获分析师看好 移动端变现超预期",
        body="""
阿里巴巴集团日前公布的2016财年第四季度财报显示，当季营收同比增长39%，移动端交易额占中国零售平台总交易额的比例继续提升。

多家券商随后上调了阿里巴巴的目标股价。一位香港券商分析师在报告中表示，阿里巴巴移动端的变现速度“快于此前预期”，云计算业务有望成为新的增长引擎。

阿里巴巴首席财务官武卫在财报电话会议上说，公司将继续加大对菜鸟物流和农村电商的投入。

分析人士指出，投资者仍关注监管部门对平台假货问题的态度，但从本季度数据看，相关争议对业务的影响并不明显。

财报发布以来，阿里巴巴股价累计上涨约8%。
""",
    ),
]

# ---------------------------------------------------------------- off-topic
ARTICLES += [
    dict(
        path="/en/2016/05/west-coast-port-volumes.html",
        story="off-topic",
        outlet="metro",
        feed="en",
        author="Carla Jimenez",
        published="2016-05-13T15:30:00Z",
        relevant=False,
        title="West Coast port volumes rise for a third straight month",
        body="""
Container volumes at the largest ports on the US West Coast rose for a third consecutive
month in April, helped by an early restocking season for summer goods, port officials said
on Friday.

The ports of Los Angeles and Long Beach together handled about 1.4 million twenty-foot
equivalent units, up 6 percent from a year earlier, according to figures released by the
two port authorities.

"Retailers are bringing in garden furniture, outdoor equipment and clothing earlier than
last year," said a spokesman for the Port of Long Beach. "Our terminals have kept up, but
truck turn times are something we are watching."

Labour relations at the docks have been calm since a contract dispute was settled last
year, and the two ports have invested in electric cranes and cleaner trucks.

Economists said the figures pointed to steady consumer demand heading into the summer,
although exports of farm products remained weak because of the strong dollar.
""",
    ),
]

# ---------------------------------------------------------------- saic-2015
ARTICLES += [
    dict(
        path="/en/2015/01/saic-report-taobao-fakes.html",
        story="saic-2015",
        outlet="ptw",
        feed="en",
        author="Grace Lin",
        published="2015-01-28T08:15:00Z",
        title="China regulator says most goods sampled on Taobao were not genuine; Alibaba hits back",
        body="""
China's State Administration for Industry and Commerce (SAIC) said in a report that only
37 percent of the products it sampled on Alibaba's Taobao marketplace were genuine, the
lowest rate among the online platforms it checked, prompting an unusually public rebuttal
from the e-commerce giant.

The regulator's white paper, based on test purchases made in the second half of last
year, accused Alibaba of failing to police counterfeit goods, bribery of staff and the
sale of banned items, and said the company had ignored problems for too long. "Alibaba
has not taken the issue of illegal business on its platforms seriously," the SAIC said.

Alibaba rejected the findings. In a statement posted online, the company said the
sampling method was flawed and that a sample of 51 items could not represent a market with
hundreds of millions of listings. "We welcome fair supervision, but we oppose unfair,
procedurally improper conduct," Alibaba said, and it said it would file a formal complaint
against an official at the regulator.

The public dispute between a government agency and China's most valuable private company
rattled investors. Alibaba's New York-listed shares fell more than 4 percent on Wednesday.

Brand owners said the report confirmed what they had been saying for years. "The numbers
are consistent with our own test buys," said a representative of an international luxury
brand in Shanghai, who declined to be named.

Alibaba says it spent more than 1 billion yuan on fighting fakes in the past two years and
removed 90 million suspicious listings in 2014.
""",
    ),
    dict(
        path="/en/2015/01/saic-softens-tone-alibaba.html",
        story="saic-2015",
        outlet="hbd",
        feed="en",
        author="Vivian Ho",
        published="2015-01-30T10:20:00Z",
        title="Beijing regulator softens tone in Alibaba fakes row after shares slide",
        body="""
China's top commerce regulator appeared to step back from its confrontation with Alibaba
Group on Friday, saying that a report accusing Taobao of widespread counterfeit sales had
no legal force and was meant to guide the industry rather than punish one company.

"The white paper is not a legally binding document," an SAIC spokesman said at a briefing
in Beijing, according to a transcript on the regulator's website. He said the SAIC wanted
to work with Alibaba to improve supervision of online markets.

The comments came a day after Jack Ma, Alibaba's founder and executive chairman, met the
head of the regulator, Zhang Mao. Alibaba said after the meeting that it would invest more
in fighting fakes and in cooperation with the authorities. "Alibaba is willing to bear
more responsibility," the company said in a statement.

The dispute wiped billions of dollars off Alibaba's market value this week and drew the
attention of US law firms, several of which said they were looking into whether the
company should have disclosed the regulator's concerns before its IPO in New York last
year.

Analysts said the softer tone did not mean the issue would go away. "The fake goods
problem is the biggest reputational risk Alibaba faces," said an equity analyst in Hong
Kong.
""",
    ),
    dict(
        path="/en/2015/02/taobao-fakes-row-brands.html",
        story="saic-2015",
        outlet="grr",
        feed="en",
        author="Hannah Brooks",
        published="2015-02-01T13:00:00Z",
        title="What the Taobao fakes row means for brands selling in China",
        body="""
The week-long dispute between Alibaba and China's State Administration for Industry and
Commerce has ended in a truce, but for brands that sell into China the questions raised by
the regulator's white paper on counterfeits remain.

The SAIC said in its report that most goods it sampled on Taobao were not genuine.
Alibaba called the sampling unscientific, before both sides said they would cooperate.
"This was never going to be settled by a press release," said a retail consultant in
Shanghai.

For brand owners the practical issue is enforcement. Brand-protection managers say
takedown requests on Taobao are processed faster than a few years ago, but sellers whose
listings are removed often reappear under new shop names within days.

"We file thousands of notices a month," said the head of brand protection at a sportswear
company, speaking on condition of anonymity. "Alibaba's tools have improved, but the fakes
come back."

Alibaba said this week that it would hire more staff for its anti-counterfeiting team and
open its data to brands. Whether that satisfies the regulator, and the brands, will be
seen in the next round of test purchases.
""",
    ),
    dict(
        path="/zh/2015/01/gongshang-zongju-baipishu-taobao.html",
        story="saic-2015",
        outlet="dfjj",
        feed="zh",
        author="孙立",
        published="2015-01-28T09:30:00+08:00",
        title="工商总局白皮书：淘宝网正品率仅37% 阿里巴巴强烈回应",
        body="""
国家工商总局近日发布的网络交易商品定向监测结果显示，在被抽检的电商平台中，淘宝网的正品率仅为37.25%，为各平台中最低。

工商总局在白皮书中称，阿里巴巴系平台存在售假、商家违规经营、工作人员收受贿赂等问题，阿里巴巴“对平台上的违法经营行为长期以来没有给予足够重视”。

对此，阿里巴巴迅速作出回应。淘宝在官方微博发表公开信，称监测“程序失当、情绪执法”，并表示将向工商总局正式投诉相关负责人。阿里巴巴表示：“我们欢迎公正监管，但反对不公正的执法。”

阿里巴巴还称，51个样本无法代表一个拥有数亿商品的市场，抽样方法不科学。

这场罕见的政企公开交锋引发市场震动。阿里巴巴在美股市场的股价当日下跌超过4%。

有电商行业人士表示，假货问题是电商行业的顽疾，平台和监管部门都有责任，“公开争吵解决不了问题，打假需要合力”。
""",
    ),
    dict(
        path="/zh/2015/01/taobao-huiying-gongshang-zongju.html",
        story="saic-2015",
        outlet="nlds",
        feed="zh",
        author="王喆 李堃",
        published="2015-01-29T07:50:00+08:00",
        charset="gb2312",
        title="淘宝回应工商总局白皮书：抽检方法不科学 将正式投诉",
        body="""
针对国家工商总局发布的网络交易商品监测结果，淘宝网29日再次发声，称监测抽样“不科学、不公正”。

淘宝方面表示，此次监测只在淘宝网抽取了51个样本，“用51个样本得出正品率的结论，在方法上站不住脚”。淘宝称，平台一直在打假，去年共删除涉嫌售假商品链接9000万条。

工商总局相关负责人此前称，阿里巴巴对平台售假问题“长期以来没有给予足够重视”，并称监测结果是对消费者负责。

不少网友在社交媒体上表示，自己确实在淘宝买到过假货，“平台喊冤之前，先管好自己的卖家”。也有网友认为，监管部门也应该反思，为何假货能在线下和线上长期存在。

南岭市消费者协会一位工作人员表示，今年以来受理的网购投诉中，涉及假冒商品的占相当比例，“消费者最关心的是买到的是不是正品，出了问题能不能退赔”。

业内人士认为，政企双方的争议有望通过沟通化解，但电商平台的打假压力只会越来越大。
""",
    ),
    dict(
        path="/zh/2015/01/gongshang-zongju-ruanhua-taobao-tw.html",
        story="saic-2015",
        outlet="tbjm",
        feed="zh",
        author="林怡君",
        published="2015-01-30T18:40:00+08:00",
        charset="big5",
        title="中國工商總局軟化立場 淘寶假貨風波暫告降溫",
        body="""
中國國家工商總局與阿里巴巴之間的假貨爭議出現轉折。工商總局發言人30日表示，日前公布的網路商品抽檢白皮書「不具法律效力」，目的是指導行業發展。

據中國官方媒體報導，阿里巴巴創辦人馬雲日前與工商總局局長張茅會面，雙方同意加強合作，共同打擊網路售假。阿里巴巴在聲明中稱，公司「願意承擔更多責任」。

工商總局的白皮書指出，在淘寶抽檢的商品中，正品率只有約37%。阿里巴巴先前強烈反駁，批評抽樣方法不科學，並揚言正式投訴。

此次風波令阿里巴巴市值在一周內蒸發數百億美元。台灣品牌業者指出，不少台灣商品在淘寶上遭到仿冒，「希望兩岸平台都能更重視智慧財產權」。

分析師認為，雙方雖然暫時休兵，但假貨問題仍是阿里巴巴最大的聲譽風險。
""",
    ),
    dict(
        path="/zh/2015/01/zhili-jiahuo-xuyao-heli.html",
        story="saic-2015",
        outlet="xxf",
        feed="zh",
        author="许静",
        published="2015-01-31T08:00:00+08:00",
        title="新消费评论：治理网络假货 平台与监管不能各说各话",
        body="""
工商总局与阿里巴巴围绕淘宝假货问题的争议，在双方高层会面后暂告一段落。工商总局表示白皮书不具有法律效力，阿里巴巴则称愿意承担更多责任。

这场风波的意义，不在于谁赢谁输。工商总局发布的数据显示，淘宝抽检正品率只有37%，这个数字是否科学可以讨论，但消费者在网上买到假货的体验是真实的。

阿里巴巴称平台去年删除了数千万条涉嫌售假的商品信息，这说明平台在打假上确实投入了力量；但删除链接之后，售假者换个店名又能重新开张，说明治理还停留在表面。

一位消费者权益专家表示：“打假不能只靠平台自查，也不能只靠监管部门一纸白皮书，关键是让售假者付出真正的代价。”

期待这次争议能推动平台、品牌和监管部门建立长效的打假机制，而不是下一次再上演公开论战。
""",
    ),
]

STATEMENT_PAIRS: list[dict] = [
    {
        "story": "iacc-2016",
        "organisation": "Alibaba",
        "en_path": "/en/2016/05/alibaba-statement-iacc-decision.html",
        "en_quote": "a step in the wrong direction and regrettable",
        "zh_path": "/zh/2016/05/alibaba-guanyu-iacc-shengming.html",
        "zh_quote": "被个别企业的私利绑架",
        "expected": "same stance, harsher tone in Chinese",
    },
]
